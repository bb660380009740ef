#!/usr/bin/env node
// fakekube: a strict loopback Kubernetes 1.32 API server for the tests. See README.md.
//
//   node tests/fake/fakekube.mjs --dir DIR [--script FAULTS.json]
//
// Makes its own CA, server and client certificates (openssl) in DIR, serves https on
// 127.0.0.1 (random port) accepting only client certificates signed by that CA, and writes
// DIR/kubeconfig (the shape AKS's listClusterUserCredential returns) and DIR/ports
// ("HTTPS_PORT CONTROL_PORT", atomically) once both servers listen. /_fake/* control
// endpoints answer on the plain-http loopback control port.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Schema } from "./fakekube_schema.mjs";
import { Workloads, now, stamp } from "./fakekube_workloads.mjs";
import { Jobs } from "./fakekube_jobs.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_SCRIPT = {
  nodes: 2,                 // schedulable nodes
  gpus_per_node: 0,         // nvidia.com/gpu allocatable on each (POST /_fake/capacity adds)
  image_pull_fail: [],      // [{"image": REGEX, "message": "..."}]: ErrImagePull, then ImagePullBackOff
  crash: [],                // [{"image": REGEX, "logs": ["line", ...], "exit_code": 1}]: CrashLoopBackOff
  faults: [],               // [{"method", "path": REGEX, "times"|"every", "status", "message"}]
};

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
}

function writeAtomic(p, text, mode = 0o600) {
  fs.writeFileSync(p + ".tmp", text, { mode });
  fs.renameSync(p + ".tmp", p);
}

// CA, server (SAN IP:127.0.0.1) and client (O=system:masters) certificates, like AKS's.
function makePki(dir) {
  const o = (...a) => execFileSync("openssl", a, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  o("req", "-x509", ...ec, "-subj", "/CN=fakekube-ca", "-days", "2", "-keyout", "ca.key", "-out", "ca.pem",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  for (const [n, subj, ext] of [["server", "/CN=apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"],
    ["client", "/O=system:masters/CN=masterclient", "extendedKeyUsage=clientAuth"]]) {
    o("req", ...ec, "-subj", subj, "-keyout", `${n}.key`, "-out", `${n}.csr`);
    fs.writeFileSync(path.join(dir, `${n}.ext`), ext + "\n");
    o("x509", "-req", "-in", `${n}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
      "-extfile", `${n}.ext`, "-out", `${n}.pem`);
  }
  const r = (f) => fs.readFileSync(path.join(dir, f));
  return { ca: r("ca.pem"), cert: r("server.pem"), key: r("server.key"), ccert: r("client.pem"), ckey: r("client.key") };
}

function kubeconfig(server, pki) {
  const b = (x) => Buffer.from(x).toString("base64");
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b(pki.ca)}`,
    `    server: ${server}`,
    "  name: fakekube-cluster",
    "contexts:",
    "- context:",
    "    cluster: fakekube-cluster",
    "    user: clusterUser_fakekube_fakekube-cluster",
    "  name: fakekube-cluster",
    "current-context: fakekube-cluster",
    "kind: Config",
    "preferences: {}",
    "users:",
    "- name: clusterUser_fakekube_fakekube-cluster",
    "  user:",
    `    client-certificate-data: ${b(pki.ccert)}`,
    `    client-key-data: ${b(pki.ckey)}`,
    `    token: ${crypto.randomBytes(32).toString("hex")}`,
    "",
  ].join("\n");
}

class State {
  constructor() { this.script = { ...DEFAULT_SCRIPT }; this.reset(); }
  reset() {
    this.rv = 1000;
    this.objects = new Map();   // "group/plural/ns/name" -> {obj, applied}
    this.pods = new Map();      // "ns/name" -> pod record (fakekube_workloads.mjs)
    this.meta = new Map();      // uid -> time of the last spec change
    this.requests = [];
    this.hits = new Map();
    this.gpuPerNode = new Array(this.script.nodes).fill(Number(this.script.gpus_per_node) || 0);
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"])
      this.put("", "namespaces", "", ns, this.server({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns } }, spec: { finalizers: ["kubernetes"] } }), null);
  }
  setScript(s) { this.script = { ...DEFAULT_SCRIPT, ...(s || {}) }; this.hits = new Map(); this.gpuPerNode = new Array(this.script.nodes).fill(Number(this.script.gpus_per_node) || 0); }
  nextRV() { return ++this.rv; }
  key(group, plural, ns, name) { return `${group}/${plural}/${ns}/${name}`; }
  get(group, plural, ns, name) { return this.objects.get(this.key(group, plural, ns, name)); }
  put(group, plural, ns, name, obj, applied) { this.objects.set(this.key(group, plural, ns, name), { obj, applied }); }
  server(obj) {
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.resourceVersion = String(this.nextRV());
    obj.metadata.creationTimestamp = stamp(now());
    if (obj.kind === "Namespace") obj.status = { phase: "Active" };
    return obj;
  }
}

function status(code, reason, message, details) {
  return { code, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code } };
}
const SHORT = { namespaces: ["ns"], pods: ["po"], deployments: ["deploy"], daemonsets: ["ds"], serviceaccounts: ["sa"],
  configmaps: ["cm"], services: ["svc"], nodes: ["no"], replicasets: ["rs"], events: ["ev"] };
const NOT_FOUND = () => status(404, "NotFound", "the server could not find the requested resource");

function parseBody(buf, ctype) {
  const text = buf.toString("utf8");
  try { return { obj: JSON.parse(text) }; } catch (e) { /* YAML below */ }
  if (/yaml/.test(ctype || "")) {
    try {
      const yaml = (await_import_yaml());
      return { obj: yaml.load(text) };
    } catch (e) { return { error: `error decoding YAML: ${String(e.message).split("\n")[0]}` }; }
  }
  return { error: "couldn't get version/kind; json parse error: invalid character" };
}
let yamlMod = null;
function await_import_yaml() { if (!yamlMod) throw new Error("YAML parser not loaded"); return yamlMod; }

// Field sets of an applied config, in the server's FieldsV1 shape (enough for managedFields).
function fieldsV1(v) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const out = {};
  for (const [k, x] of Object.entries(v)) out["f:" + k] = fieldsV1(x);
  return out;
}

function stripServer(obj) {
  const o = JSON.parse(JSON.stringify(obj));
  delete o.status;
  return o;
}

class Api {
  constructor(st, schema, wl, base, jobs) { this.st = st; this.schema = schema; this.wl = wl; this.base = base; this.jobs = jobs; }
  podView(rec) { return rec.job ? this.jobs.view(rec) : this.wl.view(rec); }

  // Routes one request; returns {code, body, headers?, text?}.
  route(method, url, headers, body) {
    const u = new URL(url, "https://x");
    const p = u.pathname.replace(/\/+$/, "") || "/";
    const q = u.searchParams;
    if (p === "/version") return { code: 200, body: { major: "1", minor: "32", gitVersion: "v1.32.4", gitCommit: "fakekube", gitTreeState: "clean", buildDate: "2025-04-22T00:00:00Z", goVersion: "go1.23.6", compiler: "gc", platform: "linux/amd64" } };
    if (p === "/api") return { code: 200, body: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: this.base.replace(/^https:\/\//, "") }] } };
    if (p === "/apis") return { code: 200, body: this.groupList() };
    // kubectl reads v2 as protobuf only: an empty message is an empty, valid document.
    if (p === "/openapi/v2") return { code: 200, text: "", ctype: "application/octet-stream" };
    if (p === "/openapi/v3") return { code: 200, body: this.openapiRoot() };
    if (p.startsWith("/openapi/v3/")) return this.openapiGV(p.slice("/openapi/v3/".length));
    const parts = p.split("/").filter(Boolean);
    let group, version, rest;
    if (parts[0] === "api" && parts.length >= 2) { group = ""; version = parts[1]; rest = parts.slice(2); }
    else if (parts[0] === "apis" && parts.length >= 3) { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
    else if (parts[0] === "apis" && parts.length === 2) {
      const g = this.groupList().groups.find((x) => x.name === parts[1]);
      return g ? { code: 200, body: { kind: "APIGroup", apiVersion: "v1", ...g } } : NOT_FOUND();
    } else return NOT_FOUND();
    const gvKey = (group ? group + "/" : "") + version;
    const gv = this.schema.gvs.get(gvKey);
    if (!gv) return NOT_FOUND();
    if (rest.length === 0) return method === "GET" ? { code: 200, body: this.resourceList(gv, gvKey) } : NOT_FOUND();
    let ns = "", plural, name, sub;
    if (rest[0] === "namespaces" && rest.length >= 3) { ns = rest[1]; [plural, name, sub] = rest.slice(2); }
    else [plural, name, sub] = rest;
    const res = gv.resources.get(plural);
    if (!res || (ns && !res.namespaced) || (sub && !res.subs.has(sub))) return NOT_FOUND();
    if (res.namespaced && !ns && name) return NOT_FOUND();
    const gr = `${plural}${group ? "." + group : ""}`;
    const ctx = { group, version, gvKey, res, ns, name, sub, gr, q, headers, body };
    if (sub === "log" && method === "GET") return this.log(ctx);
    if (sub) return status(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    if (method === "GET" && name) return this.getOne(ctx);
    if (method === "GET") return this.list(ctx);
    if (method === "PATCH" && name) return this.apply(ctx);
    if (method === "POST" && !name) return this.create(ctx);
    if (method === "DELETE" && name) return this.remove(ctx);
    return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }

  groupList() {
    const groups = new Map();
    for (const [key, gv] of this.schema.gvs) {
      if (!gv.group) continue;
      if (!groups.has(gv.group)) groups.set(gv.group, { name: gv.group, versions: [] });
      groups.get(gv.group).versions.push({ groupVersion: key, version: gv.version });
    }
    for (const g of groups.values()) g.preferredVersion = g.versions[g.versions.length - 1];
    return { kind: "APIGroupList", apiVersion: "v1", groups: [...groups.values()] };
  }

  resourceList(gv, key) {
    const resources = [];
    for (const r of gv.resources.values()) {
      resources.push({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind,
        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        ...(SHORT[r.plural] ? { shortNames: SHORT[r.plural] } : {}) });
      for (const s of r.subs) resources.push({ name: `${r.plural}/${s}`, singularName: "", namespaced: r.namespaced, kind: s === "log" ? "Pod" : r.kind, verbs: ["get"] });
    }
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion: key, resources };
  }

  // OpenAPI v3 discovery, generated from the served resources: enough for kubectl to see that
  // PATCH takes fieldValidation and leave validation to this server (as with a real one).
  openapiRoot() {
    const paths = {};
    for (const key of this.schema.gvs.keys()) {
      const rel = key.includes("/") ? `apis/${key}` : `api/${key}`;
      paths[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${crypto.createHash("sha256").update(key).digest("hex").slice(0, 16).toUpperCase()}` };
    }
    return { paths };
  }

  openapiGV(rel) {
    const key = rel.replace(/^apis?\//, "");
    const gv = this.schema.gvs.get(key);
    if (!gv || !/^apis?\//.test(rel)) return NOT_FOUND();
    const paths = {};
    const params = ["dryRun", "fieldManager", "fieldValidation", "force"].map((n) => ({ name: n, in: "query", schema: { type: n === "force" ? "boolean" : "string" } }));
    for (const r of gv.resources.values()) {
      const p = `/${rel}/${r.namespaced ? "namespaces/{namespace}/" : ""}${r.plural}/{name}`;
      paths[p] = { patch: { operationId: `patch${r.kind}`, parameters: params,
        "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": { group: gv.group, version: gv.version, kind: r.kind } } };
    }
    return { code: 200, body: { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths, components: { schemas: {} } } };
  }

  // POST create (kubectl create, client-side apply): strict decoding as the server does it.
  create(ctx) {
    if (!/json|yaml/.test(ctx.headers["content-type"] || ""))
      return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml (fakekube speaks no protobuf)");
    const parsed = parseBody(ctx.body, ctx.headers["content-type"] || "");
    if (parsed.error) return status(400, "BadRequest", parsed.error);
    const obj = parsed.obj || {};
    const name = obj.metadata?.name;
    if (!name) return status(422, "Invalid", `${ctx.res.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    if (obj.apiVersion !== ctx.gvKey || obj.kind !== ctx.res.kind)
      return status(400, "BadRequest", `the API version in the data (${obj.apiVersion}) does not match the expected API version (${ctx.gvKey})`);
    const validation = ctx.q.get("fieldValidation") || "Warn";
    const model = this.schema.modelFor(ctx.group, ctx.version, ctx.res.kind);
    const chk = this.schema.check(model, JSON.parse(JSON.stringify(obj)), true);
    if (validation === "Strict" && chk.unknown.length)
      return status(400, "BadRequest", `strict decoding error: ${chk.unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
    if (this.st.get(ctx.group, ctx.res.plural, ctx.ns, name))
      return status(409, "AlreadyExists", `${ctx.gr} "${name}" already exists`, { name, ...(ctx.group ? { group: ctx.group } : {}), kind: ctx.res.plural });
    const c2 = { ...ctx, name, headers: { ...ctx.headers, "content-type": "application/apply-patch+yaml" }, q: new URLSearchParams({ fieldManager: ctx.q.get("fieldManager") || "kubectl-create", fieldValidation: "Ignore" }) };
    const r = this.apply(c2);
    if (r.code === 200) r.code = 201;
    if (r.body?.metadata?.managedFields) r.body.metadata.managedFields[0].operation = "Update";
    return r;
  }

  view(ctx, rec) {
    const o = JSON.parse(JSON.stringify(rec.obj));
    if (o.kind === "Deployment" || o.kind === "DaemonSet") o.status = this.wl.status(rec.obj);
    if (o.kind === "Job") o.status = this.jobs.status(rec.obj);
    return o;
  }

  nsMissing(ns) {
    if (!ns || this.st.get("", "namespaces", "", ns)) return null;
    return status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
  }

  getOne(ctx) {
    if (ctx.res.plural === "pods" && ctx.group === "") {
      const rec = this.st.pods.get(`${ctx.ns}/${ctx.name}`);
      return rec ? { code: 200, body: this.podView(rec) } : status(404, "NotFound", `pods "${ctx.name}" not found`, { name: ctx.name, kind: "pods" });
    }
    const rec = this.st.get(ctx.group, ctx.res.plural, ctx.ns, ctx.name);
    if (!rec) return status(404, "NotFound", `${ctx.gr} "${ctx.name}" not found`, { name: ctx.name, ...(ctx.group ? { group: ctx.group } : {}), kind: ctx.res.plural });
    return { code: 200, body: this.view(ctx, rec) };
  }

  list(ctx) {
    const sel = ctx.q.get("labelSelector");
    const match = (labels) => !sel || sel.split(",").every((term) => {
      const [k, v] = term.split("=").map((s) => s.trim());
      return v === undefined ? k in (labels || {}) : (labels || {})[k] === v;
    });
    let items;
    if (ctx.res.plural === "pods" && ctx.group === "")
      items = [...this.st.pods.values()].filter((r) => !ctx.ns || r.pod.metadata.namespace === ctx.ns).map((r) => this.podView(r));
    else
      items = [...this.st.objects.entries()].filter(([k]) => k.startsWith(`${ctx.group}/${ctx.res.plural}/${ctx.ns ? ctx.ns + "/" : ""}`)).map(([, r]) => this.view(ctx, r));
    items = items.filter((o) => match(o.metadata.labels));
    return { code: 200, body: { kind: ctx.res.kind + "List", apiVersion: ctx.gvKey, metadata: { resourceVersion: String(this.st.rv) }, items } };
  }

  log(ctx) {
    const rec = this.st.pods.get(`${ctx.ns}/${ctx.name}`);
    if (!rec) return status(404, "NotFound", `pods "${ctx.name}" not found`, { name: ctx.name, kind: "pods" });
    const c = ctx.q.get("container");
    const text = rec.job ? this.jobs.log(rec, c) : this.wl.log(rec, c);
    if (text === null) return status(400, "BadRequest", `container ${c} is not valid for pod ${ctx.name}`);
    const view = this.podView(rec);
    const waiting = (view.status.containerStatuses || []).find((s) => !c || s.name === c)?.state?.waiting;
    if (!text && waiting && waiting.reason !== "CrashLoopBackOff")
      return status(400, "BadRequest", `container "${c || rec.pod.spec.containers[0].name}" in pod "${ctx.name}" is waiting to start: ${waiting.reason === "ContainerCreating" ? "ContainerCreating" : "trying and failing to pull image"}`);
    let lines = text.split("\n").filter((l, i, a) => i < a.length - 1 || l);
    const tail = Number(ctx.q.get("tailLines"));
    if (tail > 0) lines = lines.slice(-tail);
    return { code: 200, text: lines.map((l) => l + "\n").join(""), ctype: "text/plain" };
  }

  remove(ctx) {
    const rec = this.st.get(ctx.group, ctx.res.plural, ctx.ns, ctx.name);
    if (!rec) return status(404, "NotFound", `${ctx.gr} "${ctx.name}" not found`, { name: ctx.name, kind: ctx.res.plural });
    this.st.objects.delete(this.st.key(ctx.group, ctx.res.plural, ctx.ns, ctx.name));
    this.jobs.removeOwned(rec.obj.metadata.uid);
    this.wl.removeOwned(rec.obj.metadata.uid);
    return { code: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: ctx.name, kind: ctx.res.plural, uid: rec.obj.metadata.uid } } };
  }

  // Server-side apply: PATCH with application/apply-patch+yaml.
  apply(ctx) {
    const ctype = (ctx.headers["content-type"] || "").split(";")[0].trim();
    if (ctype !== "application/apply-patch+yaml")
      return status(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    const fm = ctx.q.get("fieldManager");
    if (!fm) return status(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`, { kind: "PatchOptions", group: "meta.k8s.io", causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }] });
    const parsed = parseBody(ctx.body, ctype === "application/apply-patch+yaml" ? "yaml" : ctype);
    if (parsed.error) return status(400, "BadRequest", parsed.error);
    const obj = parsed.obj;
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return status(400, "BadRequest", "error decoding patch: the body is not an object");
    const gvk = `${ctx.group ? ctx.group + "/" : "/"}${ctx.version}, Kind=${ctx.res.kind}`;
    if (obj.apiVersion !== ctx.gvKey)
      return status(400, "BadRequest", `the API version in the data (${obj.apiVersion}) does not match the expected API version (${ctx.gvKey})`);
    if (obj.kind !== ctx.res.kind)
      return status(400, "BadRequest", `the kind in the data (${obj.kind}) does not match the expected kind (${ctx.res.kind})`);
    const meta = obj.metadata || {};
    if (meta.name !== undefined && meta.name !== ctx.name)
      return status(400, "BadRequest", `the name of the object (${meta.name}) does not match the name on the URL (${ctx.name})`);
    if (meta.namespace !== undefined && ctx.res.namespaced && meta.namespace !== ctx.ns)
      return status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    const missingNs = this.nsMissing(ctx.ns);
    if (missingNs) return missingNs;
    const model = this.schema.modelFor(ctx.group, ctx.version, ctx.res.kind);
    const validation = ctx.q.get("fieldValidation") || "Strict";
    if (!["Strict", "Warn", "Ignore"].includes(validation))
      return status(400, "BadRequest", `fieldValidation parameter unsupported: ${validation}`);
    const config = JSON.parse(JSON.stringify(obj));
    const chk = this.schema.check(model, config, validation !== "Strict");
    if (chk.errors.length) {
      const list = chk.errors.length === 1 ? chk.errors[0] : "errors:\n  " + chk.errors.join("\n  ");
      return status(400, "BadRequest", `failed to create typed patch object (${ctx.ns ? ctx.ns : ""}/${ctx.name}; ${gvk}): ${list}`);
    }
    const headers = {};
    if (validation === "Warn" && chk.unknown.length) headers.Warning = chk.unknown.map((f) => `299 - "unknown field \\"${f}\\""`).join(", ");
    const full = JSON.parse(JSON.stringify(config));
    full.metadata = { ...(full.metadata || {}), name: ctx.name, ...(ctx.res.namespaced ? { namespace: ctx.ns } : {}) };
    const missing = this.schema.missing(model, full);
    const selErr = this.selectorMismatch(full);
    const old0 = this.st.get(ctx.group, ctx.res.plural, ctx.ns, ctx.name);
    const jobErr = full.kind === "Job" ? this.jobs.validate(full, old0) : null;
    if (jobErr) return status(422, "Invalid", `Job.batch "${ctx.name}" is invalid: ${jobErr}`, { name: ctx.name, group: "batch", kind: "Job", causes: [{ reason: "FieldValueInvalid", message: jobErr, field: jobErr.split(":")[0] }] });
    if (missing.length || selErr) {
      const causes = missing.map((f) => ({ reason: "FieldValueRequired", message: "Required value", field: f }));
      if (selErr) causes.push({ reason: "FieldValueInvalid", message: selErr.message, field: selErr.field });
      const msgs = causes.map((c) => `${c.field}: ${c.message}`);
      return status(422, "Invalid", `${ctx.res.kind}${ctx.group ? "." + ctx.group : ""} "${ctx.name}" is invalid: ${msgs.length === 1 ? msgs[0] : "[" + msgs.join(", ") + "]"}`,
        { name: ctx.name, ...(ctx.group ? { group: ctx.group } : {}), kind: ctx.res.kind, causes });
    }
    const old = this.st.get(ctx.group, ctx.res.plural, ctx.ns, ctx.name);
    const same = old && JSON.stringify(old.applied) === JSON.stringify(config);
    if (same) return { code: 200, body: this.view(ctx, old), headers };
    const t = stamp(now());
    const stored = stripServer(full);
    this.defaults(stored);
    stored.metadata.managedFields = [{ manager: fm, operation: "Apply", apiVersion: ctx.gvKey, time: t, fieldsType: "FieldsV1", fieldsV1: fieldsV1({ metadata: config.metadata, ...Object.fromEntries(Object.entries(config).filter(([k]) => !["apiVersion", "kind", "metadata"].includes(k))) }) }];
    if (old) {
      stored.metadata.uid = old.obj.metadata.uid;
      stored.metadata.creationTimestamp = old.obj.metadata.creationTimestamp;
      const specChanged = JSON.stringify(old.obj.spec) !== JSON.stringify(stored.spec);
      stored.metadata.generation = (old.obj.metadata.generation || 1) + (specChanged ? 1 : 0);
      stored.metadata.resourceVersion = String(this.st.nextRV());
      if (stored.kind === "Namespace") stored.status = { phase: "Active" };
    } else {
      this.st.server(stored);
      if (stored.spec !== undefined) stored.metadata.generation = 1;
    }
    this.st.put(ctx.group, ctx.res.plural, ctx.ns, ctx.name, stored, config);
    if (stored.kind === "Job" && !old) this.jobs.start(stored);
    if ((stored.kind === "Deployment" || stored.kind === "DaemonSet") && (!old || JSON.stringify(old.obj.spec) !== JSON.stringify(stored.spec))) {
      this.st.meta.set(stored.metadata.uid, now());
      this.wl.reconcile(stored);
    }
    return { code: old ? 200 : 201, body: this.view(ctx, this.st.get(ctx.group, ctx.res.plural, ctx.ns, ctx.name)), headers };
  }

  defaults(o) {
    if (o.kind === "Deployment") {
      o.spec.replicas ??= 1; o.spec.progressDeadlineSeconds ??= 600; o.spec.revisionHistoryLimit ??= 10;
      o.spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
    }
    if (o.kind === "DaemonSet") {
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
    }
    if (o.kind === "Secret") o.type ??= "Opaque";
  }

  selectorMismatch(o) {
    if (o.kind !== "Deployment" && o.kind !== "DaemonSet") return null;
    const ml = o.spec?.selector?.matchLabels || {};
    const labels = o.spec?.template?.metadata?.labels || {};
    if (!o.spec?.selector) return null;
    if (Object.entries(ml).every(([k, v]) => labels[k] === v)) return null;
    const gomap = "map[string]string{" + Object.entries(labels).map(([k, v]) => `"${k}":"${v}"`).join(", ") + "}";
    return { field: "spec.template.metadata.labels", message: `Invalid value: ${gomap}: \`selector\` does not match template \`labels\`` };
  }
}

// Fault rules from the script, first match wins (like fakecloud's).
function fault(st, method, p) {
  const rules = st.script.faults || [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if ((r.method || method).toUpperCase() !== method) continue;
    if (!new RegExp(r.path || "").test(p)) continue;
    const seen = (st.hits.get(i) || 0) + 1;
    st.hits.set(i, seen);
    if (r.every ? seen % r.every !== 0 : seen > (r.times ?? Infinity)) continue;
    const code = r.status || 500;
    const reasons = { 500: "InternalError", 429: "TooManyRequests", 503: "ServiceUnavailable", 409: "Conflict", 403: "Forbidden" };
    return status(code, r.reason || reasons[code] || "InternalError", r.message || `Internal error occurred: fakekube fault rule ${i}`);
  }
  return null;
}

function send(res, r) {
  const hdrs = { ...(r.headers || {}) };
  let data;
  if (r.text !== undefined) { data = Buffer.from(r.text); hdrs["Content-Type"] = r.ctype || "text/plain"; }
  else { data = Buffer.from(JSON.stringify(r.body)); hdrs["Content-Type"] = "application/json"; }
  hdrs["Content-Length"] = data.length;
  hdrs["Audit-Id"] = crypto.randomUUID();
  res.writeHead(r.code, hdrs);
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

async function main() {
  const dir = arg("--dir");
  if (!dir) { console.error("usage: fakekube.mjs --dir DIR [--script FAULTS.json]"); process.exit(2); }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const schema = new Schema(HERE);
  yamlMod = (await import(path.join(HERE, "node_modules/js-yaml/index.js"))).default;
  const st = new State();
  const script = arg("--script");
  if (script) st.setScript(JSON.parse(fs.readFileSync(script, "utf8")));
  st.reset();
  const wl = new Workloads(st);
  const pki = makePki(dir);
  const srv = https.createServer({ key: pki.key, cert: pki.cert, ca: [pki.ca], requestCert: true, rejectUnauthorized: true });
  let api;
  srv.on("request", async (req, res) => {
    const body = await readBody(req);
    const p = new URL(req.url, "https://x").pathname;
    const entry = { method: req.method, path: p, query: Object.fromEntries(new URL(req.url, "https://x").searchParams),
      content_type: req.headers["content-type"] || null, user_agent: req.headers["user-agent"] || null,
      client: req.socket.getPeerCertificate()?.subject?.CN || null, time: now() };
    let r = fault(st, req.method, p);
    if (!r) {
      try { r = api.route(req.method, req.url, req.headers, body); }
      catch (e) { r = status(500, "InternalError", `Internal error occurred: ${e.message}`); }
    }
    entry.status = r.code;
    st.requests.push(entry);
    send(res, r);
  });
  srv.on("tlsClientError", () => {});
  const ctl = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const p = new URL(req.url, "http://x").pathname;
    let out = { ok: true };
    if (p === "/_fake/requests") out = st.requests;
    else if (p === "/_fake/objects") out = [...st.objects.values()].map((r) => r.obj).concat([...st.pods.values()].map((r) => api.podView(r)));
    else if (p === "/_fake/applied") out = [...st.objects.values()].filter((r) => r.applied).map((r) => r.applied);
    else if (p === "/_fake/reset") { st.setScript(body.length ? JSON.parse(body) : {}); st.reset(); }
    else if (p === "/_fake/script") st.setScript(JSON.parse(body.length ? body : "{}"));
    else if (p === "/_fake/capacity" && req.method === "POST") {
      const want = body.length ? JSON.parse(body) : {};
      const add = Number(want["nvidia.com/gpu"] ?? 1);
      st.gpuPerNode = st.gpuPerNode.map((n) => n + add);
      wl.schedule();
      out = { "nvidia.com/gpu": st.gpuPerNode };
    } else out = { error: "unknown control endpoint " + p };
    const data = JSON.stringify(out);
    res.writeHead(out.error ? 404 : 200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
    res.end(data);
  });
  await new Promise((ok) => srv.listen(0, "127.0.0.1", ok));
  await new Promise((ok) => ctl.listen(0, "127.0.0.1", ok));
  const base = `https://127.0.0.1:${srv.address().port}`;
  api = new Api(st, schema, wl, base, new Jobs(st));
  writeAtomic(path.join(dir, "kubeconfig"), kubeconfig(base, pki));
  writeAtomic(path.join(dir, "ports"), `${srv.address().port} ${ctl.address().port}\n`);
  console.log(`fakekube listening on ${base} (control http://127.0.0.1:${ctl.address().port}, Kubernetes ${schema.openapi} schema)`);
  const stop = () => { srv.close(); ctl.close(); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => { console.error(e.message); process.exit(1); });
