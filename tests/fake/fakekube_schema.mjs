// fakekube_schema.mjs: what a Kubernetes 1.32 API server serves and accepts, read at start
// from the npm package @kubernetes/client-node 1.1.x (models generated from the v1.32.0
// OpenAPI document; installed by `npm ci --prefix tests/fake`, never committed).
//
// - gvs/resource(): every GA group/version/resource with a REST path in the generated API
//   classes, its kind and scope (a removed API such as extensions/v1beta1 has none; alpha and
//   beta versions are left out, as they are off by default on a 1.32 server).
// - check(): strict field validation as the server's structured-merge-diff typed conversion does
//   it: an unknown field is ".path: field not declared in schema", a wrong type "expected ...".
// - required(): the fields the models declare as required (e.g. DaemonSet spec.selector).
import fs from "node:fs";
import path from "node:path";

const ROOT_CANDIDATES = (here) => [
  path.join(here, "node_modules/@kubernetes/client-node/dist/gen"),
];

// Lists that the 1.32 schema declares as maps keyed by a field (x-kubernetes-list-type: map):
// the generated client does not carry list types, so the usual ones are named here. Every
// other list is addressed by index in error paths, as the server does for atomic lists.
const MAP_LISTS = {
  containers: ["name"], initContainers: ["name"], ephemeralContainers: ["name"],
  env: ["name"], volumes: ["name"], volumeMounts: ["mountPath"],
};
// Quantity fields are int-or-string in the real schema and plain strings in the client models.
const QUANTITY_MAPS = new Set(["limits", "requests", "capacity", "allocatable", "hard", "used", "overhead"]);
const QUANTITY_FIELDS = new Set(["sizeLimit"]);

function capitalize(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }

export function pluralize(lowerKind) {
  if (/(s|x|ch|sh)$/.test(lowerKind)) return lowerKind + "es";
  if (/[^aeiou]y$/.test(lowerKind)) return lowerKind.slice(0, -1) + "ies";
  return lowerKind + "s";
}

export class Schema {
  constructor(here) {
    const root = ROOT_CANDIDATES(here).find((p) => fs.existsSync(path.join(p, "models")));
    if (!root)
      throw new Error("fakekube: the Kubernetes schema is not installed; run: npm ci --prefix tests/fake --omit=dev --ignore-scripts --no-audit --no-fund");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "../../package.json"), "utf8"));
    this.clientVersion = pkg.version;
    this.models = new Map();   // model name -> {attrs: Map(name -> type), required: Set}
    const mdir = path.join(root, "models");
    for (const f of fs.readdirSync(mdir)) {
      if (!f.endsWith(".js") || f === "ObjectSerializer.js" || f === "all.js") continue;
      const text = fs.readFileSync(path.join(mdir, f), "utf8");
      if (!this.openapi) {
        const m = /OpenAPI spec version: (v[0-9.]+)/.exec(text);
        if (m) this.openapi = m[1];
      }
      const name = f.slice(0, -3);
      const m = new RegExp(name + "\\.attributeTypeMap = (\\[[\\s\\S]*?\\]);").exec(text);
      if (!m) continue;
      const attrs = new Map();
      for (const a of JSON.parse(m[1])) attrs.set(a.baseName, a.type);
      const required = new Set();
      const dts = path.join(mdir, name + ".d.ts");
      if (fs.existsSync(dts))
        for (const line of fs.readFileSync(dts, "utf8").split("\n")) {
          const r = /^\s+'([A-Za-z0-9_$]+)':/.exec(line);
          if (r) required.add(r[1]);
        }
      this.models.set(name, { attrs, required });
    }
    if (this.openapi !== "v1.32.0")
      throw new Error("fakekube: expected models of the Kubernetes v1.32.0 OpenAPI, found " + this.openapi);
    this.loadPaths(path.join(root, "apis"));
  }

  // group "" = core. Returns the model name for a kind served in group/version.
  modelFor(group, version, kind) {
    const v = capitalize(version);
    const prefix = group === "" ? "Core" : capitalize(group.split(".")[0]);
    for (const n of [v + kind, prefix + v + kind]) {
      const m = this.models.get(n);
      if (m && m.attrs.has("metadata") && m.attrs.has("kind")) return n;
    }
    return null;
  }

  loadPaths(adir) {
    this.gvs = new Map();   // "group/version" -> {group, version, resources: Map(plural -> info)}
    for (const f of fs.readdirSync(adir)) {
      if (!f.endsWith(".js")) continue;
      const text = fs.readFileSync(path.join(adir, f), "utf8");
      for (const m of text.matchAll(/'(\/apis?\/[^']*)'/g)) {
        const parts = m[1].split("/").filter(Boolean);
        let group, version, rest;
        if (parts[0] === "api") { group = ""; version = parts[1]; rest = parts.slice(2); }
        else { if (parts.length < 3) continue; group = parts[1]; version = parts[2]; rest = parts.slice(3); }
        // Only GA versions: alpha and (post-1.24) beta APIs are off by default on a 1.32 server.
        if (rest[0] === "watch" || !/^v[0-9]+$/.test(version || "") || group.includes("{")) continue;
        const key = (group ? group + "/" : "") + version;
        if (!this.gvs.has(key)) this.gvs.set(key, { group, version, resources: new Map() });
        const gv = this.gvs.get(key);
        let namespaced = false, plural;
        if (rest[0] === "namespaces" && rest[1] === "{namespace}" && rest.length >= 3) {
          namespaced = true; plural = rest[2];
          if (rest.length > 4) this.addSub(gv, plural, rest[4]);
        } else if (rest.length >= 1) {
          plural = rest[0];
          if (rest.length > 2 && rest[1] === "{name}") this.addSub(gv, plural, rest[2]);
        }
        if (!plural || plural.startsWith("{")) continue;
        const info = gv.resources.get(plural) || { plural, namespaced: false, subs: new Set() };
        info.namespaced = info.namespaced || namespaced;
        gv.resources.set(plural, info);
      }
    }
    for (const gv of this.gvs.values())
      for (const [plural, info] of gv.resources) {
        info.kind = this.kindForPlural(gv.group, gv.version, plural);
        if (!info.kind) gv.resources.delete(plural);
      }
  }

  addSub(gv, plural, sub) {
    const info = gv.resources.get(plural) || { plural, namespaced: false, subs: new Set() };
    info.subs.add(sub);
    gv.resources.set(plural, info);
  }

  kindForPlural(group, version, plural) {
    const v = capitalize(version);
    const prefix = group === "" ? "Core" : capitalize(group.split(".")[0]);
    for (const name of this.models.keys()) {
      let kind = null;
      if (name.startsWith(prefix + v)) kind = name.slice((prefix + v).length);
      else if (name.startsWith(v) && /^[A-Z]/.test(name.slice(v.length))) kind = name.slice(v.length);
      if (!kind || kind.endsWith("List")) continue;
      const m = this.models.get(name);
      if (!m.attrs.has("metadata") || !m.attrs.has("kind")) continue;
      if (pluralize(kind.toLowerCase()) === plural || kind.toLowerCase() === plural) return kind;
    }
    return null;
  }

  resource(group, version, plural) {
    const gv = this.gvs.get((group ? group + "/" : "") + version);
    return gv ? gv.resources.get(plural) || null : null;
  }

  resourceForKind(group, version, kind) {
    const gv = this.gvs.get((group ? group + "/" : "") + version);
    if (!gv) return null;
    for (const r of gv.resources.values()) if (r.kind === kind) return r;
    return null;
  }

  // Strict typed conversion of obj against model. Returns a list of error strings (paths as
  // the server prints them: ".spec.foo", ".spec.containers[name=\"c\"].bar", ".list[0].x").
  // With drop=true unknown fields are removed instead (fieldValidation=Ignore/Warn).
  check(modelName, obj, drop = false) {
    const errors = [], unknown = [];
    this.walk(modelName, obj, "", errors, unknown, drop);
    return { errors, unknown };
  }

  walk(type, val, p, errors, unknown, drop, field) {
    if (val === null || val === undefined) return;
    if (type === "any") return;
    if (type === "string" || type === "Date") {
      if (typeof val === "number" && QUANTITY_FIELDS.has(field)) return;
      if (typeof val !== "string") errors.push(`${p}: expected string, got ${describe(val)}`);
      return;
    }
    if (type === "number") {
      if (typeof val !== "number") errors.push(`${p}: expected numeric (int or float), got ${describe(val)}`);
      return;
    }
    if (type === "boolean") {
      if (typeof val !== "boolean") errors.push(`${p}: expected boolean, got ${describe(val)}`);
      return;
    }
    if (type === "IntOrString") {
      if (typeof val !== "string" && !Number.isInteger(val)) errors.push(`${p}: expected string or int, got ${describe(val)}`);
      return;
    }
    let m = /^Array<(.+)>$/.exec(type);
    if (m) {
      if (!Array.isArray(val)) { errors.push(`${p}: expected list, got ${describe(val)}`); return; }
      const keys = MAP_LISTS[field];
      val.forEach((item, i) => {
        let ip = `${p}[${i}]`;
        if (keys && item && typeof item === "object" && keys.every((k) => item[k] !== undefined))
          ip = `${p}[${keys.map((k) => `${k}=${JSON.stringify(item[k])}`).join(",")}]`;
        this.walk(m[1], item, ip, errors, unknown, drop, field);
      });
      return;
    }
    m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (m) {
      if (typeof val !== "object" || Array.isArray(val)) { errors.push(`${p}: expected map, got ${describe(val)}`); return; }
      for (const [k, v] of Object.entries(val)) {
        if (m[1] === "string" && typeof v === "number" && QUANTITY_MAPS.has(field)) continue;
        this.walk(m[1], v, `${p}.${k}`, errors, unknown, drop, k);
      }
      return;
    }
    const model = this.models.get(type);
    if (!model) return;   // a type the client does not model: accept, as RawExtension
    if (typeof val !== "object" || Array.isArray(val)) { errors.push(`${p}: expected map, got ${describe(val)}`); return; }
    for (const k of Object.keys(val)) {
      const t = model.attrs.get(k);
      if (t === undefined) {
        if (drop) { unknown.push(`${p}.${k}`.slice(1)); delete val[k]; }
        else errors.push(`${p}.${k}: field not declared in schema`);
        continue;
      }
      this.walk(t, val[k], `${p}.${k}`, errors, unknown, drop, k);
    }
  }

  // Required fields missing in obj (paths without the leading dot, as validation prints them).
  missing(type, val, p = "", out = []) {
    const model = this.models.get(type);
    if (!model || !val || typeof val !== "object" || Array.isArray(val)) return out;
    for (const r of model.required) {
      if (["apiVersion", "kind", "metadata", "status"].includes(r) && p === "") continue;
      if (val[r] === undefined || val[r] === null) out.push((p ? p + "." : "") + r);
    }
    for (const [k, t] of model.attrs) {
      if (val[k] === undefined || k === "status") continue;
      const m = /^Array<(V\w+)>$/.exec(t);
      if (m && Array.isArray(val[k])) val[k].forEach((it, i) => this.missing(m[1], it, `${p ? p + "." : ""}${k}[${i}]`, out));
      else if (this.models.has(t)) this.missing(t, val[k], (p ? p + "." : "") + k, out);
    }
    return out;
  }
}

function describe(v) {
  if (Array.isArray(v)) return "list";
  if (v === null) return "null";
  if (typeof v === "object") return "map";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return typeof v;
}
