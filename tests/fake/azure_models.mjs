// Writes the request models of Azure's JavaScript SDK packages (tests/fake/package.json) as one
// JSON document for tests/fake/azure_models.py: every operation's method, path template,
// api-version and request body mapper, plus the mappers those bodies reach.
//   node tests/fake/azure_models.mjs OUT.json
// The SDK code generator writes each operation as `const xOperationSpec = { path, httpMethod,
// requestBody: Parameters.p, queryParameters: [Parameters.apiVersion], ... }` in operations/*.js;
// models/parameters.js and models/mappers.js are plain exported objects.
import { register } from "node:module";
import { readFileSync, readdirSync, existsSync, writeFileSync, renameSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Older packages (dist-esm/) import "../models/mappers" without the .js Node's ESM loader wants.
const hook = `export async function resolve(s, c, next) {
  try { return await next(s, c); } catch (e) {
    if ((s.startsWith("./") || s.startsWith("../")) && !s.endsWith(".js")) return next(s + ".js", c);
    throw e;
  }
}`;
register("data:text/javascript," + encodeURIComponent(hook));

const here = dirname(fileURLToPath(import.meta.url));
const pkgs = Object.keys(JSON.parse(readFileSync(join(here, "package.json"), "utf8")).dependencies)
	.filter((n) => n.startsWith("@azure/arm-"));

function esmRoot(dir) {
	for (const r of ["dist-esm/src", "dist/esm"]) {
		if (existsSync(join(dir, r, "models", "mappers.js"))) return join(dir, r);
	}
	throw new Error(`${dir}: no dist-esm/src or dist/esm with models/mappers.js`);
}

function jsFiles(dir) {
	const out = [];
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, e.name);
		if (e.isDirectory() && e.name !== "models") out.push(...jsFiles(p));
		else if (e.isFile() && e.name.endsWith(".js")) out.push(p);
	}
	return out;
}

// The class names a mapper reaches (nested composites, sequences, dictionaries, subtypes).
function reach(mapper, mappers, discriminators, seen) {
	if (!mapper || typeof mapper !== "object") return;
	const t = mapper.type || {};
	if (t.name === "Composite" && t.className && !seen.has(t.className)) {
		seen.add(t.className);
		const m = mappers[t.className];
		if (m) reach(m, mappers, discriminators, seen);
		// A polymorphic model: every subtype its discriminator can name (keys "Parent.value",
		// by the class or by its root class).
		const uber = m && m.type.polymorphicDiscriminator && (m.type.uberParent || t.className);
		for (const [k, sub] of Object.entries(discriminators || {})) {
			if (k.startsWith(t.className + ".") || (uber && k.startsWith(uber + "."))) {
				reach(sub, mappers, discriminators, seen);
			}
		}
	}
	for (const p of Object.values(t.modelProperties || {})) reach(p, mappers, discriminators, seen);
	reach(t.element, mappers, discriminators, seen);
	reach(t.value, mappers, discriminators, seen);
	reach(t.additionalProperties, mappers, discriminators, seen);
}

async function load(name) {
	const dir = join(here, "node_modules", name);
	const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
	const root = esmRoot(dir);
	const Mappers = await import(pathToFileURL(join(root, "models", "mappers.js")));
	const Parameters = await import(pathToFileURL(join(root, "models", "parameters.js")));
	const specRx = /const (\w+) = \{\s*path: "([^"]+)",\s*httpMethod: "(\w+)",([\s\S]*?)\n\};/g;
	const ops = [];
	const classes = new Set();
	for (const f of jsFiles(root)) {
		const text = readFileSync(f, "utf8");
		for (const m of text.matchAll(specRx)) {
			const [, , path, method, rest] = m;
			const names = (re) => ((rest.match(re) || [, ""])[1].match(/Parameters\.(\$?\w+)/g) || [])
				.map((s) => Parameters[s.slice("Parameters.".length)]).filter(Boolean);
			const apiVersions = names(/queryParameters: \[([^\]]*)\]/)
				.filter((p) => p.mapper.serializedName === "api-version").map((p) => p.mapper.defaultValue);
			const wide = names(/urlParameters: \[([^\]]*)\]/)
				.filter((p) => p.skipEncoding).map((p) => p.mapper.serializedName);
			const rb = rest.match(/requestBody: Parameters\.(\$?\w+)/);
			const body = rb ? Parameters[rb[1]] : null;
			if (body) reach(body.mapper, Mappers, Mappers.discriminators, classes);
			ops.push({ method, path, apiVersions, wide, body: body ? body.mapper : null });
		}
	}
	if (ops.length === 0) throw new Error(`${name}@${version}: no operation specs found under ${root}`);
	const mappers = {};
	for (const c of [...classes].sort()) if (Mappers[c]) mappers[c] = Mappers[c];
	const discriminators = {};
	for (const [k, v] of Object.entries(Mappers.discriminators || {})) {
		if (classes.has(v.type.className)) discriminators[k] = v.type.className;
	}
	return { name, version, ops, mappers, discriminators };
}

const out = process.argv[2];
if (!out) {
	console.error("usage: node azure_models.mjs OUT.json");
	process.exit(2);
}
const doc = { packages: [] };
for (const name of pkgs) doc.packages.push(await load(name));
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(tmp, JSON.stringify(doc));
renameSync(tmp, out);
console.log(`azure_models: ${doc.packages.map((p) => `${p.name}@${p.version} (${p.ops.length} operations)`).join(", ")}` +
	` -> ${out} (${statSync(out).size} bytes)`);
