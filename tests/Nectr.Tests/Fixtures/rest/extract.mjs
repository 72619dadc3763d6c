// Regenerates openapi.requests.json, what the fake GitHub needs to check a request the way GitHub's REST API
// would: every operation's method, path template and parameters, and the request-body schema of the operations
// listed in withBody below, all from GitHub's own OpenAPI description (npm: @octokit/openapi, MIT).
//   cd "$(mktemp -d)" && npm install --no-save @octokit/openapi@23.0.2
//   node <this folder>/extract.mjs node_modules/@octokit/openapi/generated/api.github.com.json
// The schemas come out as JSON Schema (2020-12), not OpenAPI 3.0: see toJsonSchema.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const source = process.argv[2];
if (!source) {
  console.error("usage: node extract.mjs <path to generated/api.github.com.json>");
  process.exit(2);
}

// The operations whose JSON body the fake validates (the ones it serves that take a body). Any other operation
// that takes a body is marked "body": "not extracted", and the fake refuses a body sent to it until it is listed here.
const withBody = new Set(["pulls/create-review", "repos/create-webhook", "repos/update-webhook", "issues/create-comment", "issues/update-comment", "pulls/dismiss-review",
  // PR comment commands: reactions on the command, replies in its inline thread.
  "reactions/create-for-issue-comment", "reactions/create-for-pull-request-review-comment", "pulls/create-reply-for-review-comment",
  // Check runs and commit statuses (GitHub App and token fallback), installation tokens.
  "checks/create", "checks/update", "repos/create-commit-status", "apps/create-installation-access-token"]);

const api = JSON.parse(readFileSync(source, "utf8"));
const version = JSON.parse(readFileSync(join(dirname(source), "..", "package.json"), "utf8")).version;
const methods = ["get", "put", "post", "patch", "delete", "head", "options"];

function resolve(node, seen = new Set()) {
  if (!node || typeof node !== "object" || !node.$ref) return node;
  if (seen.has(node.$ref)) throw new Error(`cyclic $ref ${node.$ref}`);
  seen.add(node.$ref);
  const target = node.$ref.replace(/^#\//, "").split("/").reduce((at, key) => at[key.replaceAll("~1", "/").replaceAll("~0", "~")], api);
  return resolve(target, seen);
}

// The JSON Schema keywords kept; everything else (description, example, externalDocs, x-*, readOnly, …) only
// documents and would make the fixture larger. A keyword neither kept nor dropped is reported, so a new
// OpenAPI 3.0-ism is seen when the fixture is regenerated.
const kept = new Set(["type", "enum", "required", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
  "uniqueItems", "format", "multipleOf", "minProperties", "maxProperties"]);
const dropped = new Set(["description", "title", "example", "examples", "default", "externalDocs", "xml", "discriminator",
  "readOnly", "writeOnly", "deprecated"]);
const unknown = new Set();

// OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a "null" in the type (and in the enum), boolean
// exclusiveMinimum/Maximum become the numeric form, and references are inlined (none of the kept ones is cyclic).
function toJsonSchema(node, seen = []) {
  if (node === true || node === false) return node;
  if (node.$ref) {
    if (seen.includes(node.$ref)) throw new Error(`cyclic schema ${node.$ref}`);
    return toJsonSchema(resolve(node), [...seen, node.$ref]);
  }

  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (kept.has(key)) out[key] = value;
    else if (key === "properties") out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, seen)]));
    else if (key === "items" || key === "not") out[key] = toJsonSchema(value, seen);
    else if (key === "additionalProperties") out[key] = typeof value === "boolean" ? value : toJsonSchema(value, seen);
    else if (key === "allOf" || key === "anyOf" || key === "oneOf") out[key] = value.map((v) => toJsonSchema(v, seen));
    else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
      if (value === true) { out[key] = node[bound]; }
      else if (typeof value === "number") out[key] = value;
    } else if (key !== "nullable" && !dropped.has(key) && !key.startsWith("x-")) unknown.add(key);
  }

  for (const key of ["exclusiveMinimum", "exclusiveMaximum"]) {
    if (node[key] === true) delete out[key === "exclusiveMinimum" ? "minimum" : "maximum"];
  }

  if (node.nullable === true) {
    if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.type === undefined) return { anyOf: [out, { type: "null" }] };
  }

  return out;
}

function parameter(raw) {
  const p = resolve(raw);
  const schema = toJsonSchema(p.schema ?? {});
  // per_page says its limit only in prose ("(max 100)"); GitHub enforces it, so the check does too.
  const max = /\(max (\d+)\)/.exec(p.description ?? "");
  if (max && schema.type === "integer" && schema.maximum === undefined) schema.maximum = Number(max[1]);
  if (p.in === "query" && p.schema?.type === "array" && p.explode === false) throw new Error(`${p.name}: explode=false arrays are not handled`);
  return { name: p.name, in: p.in, required: p.required === true, schema };
}

// One line per operation: "params" maps a query parameter (or a path parameter that is not a plain string;
// the others are implied by the template) to its schema, and "required" lists the required query parameters.
function entryFor(path, method, item, op) {
  const entry = { id: op.operationId, method: method.toUpperCase(), path };
  const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(parameter);
  const path_ = parameters.filter((p) => p.in === "path" && JSON.stringify(p.schema) !== '{"type":"string"}');
  const query = parameters.filter((p) => p.in === "query");
  if (path_.length > 0) entry.pathParams = Object.fromEntries(path_.map((p) => [p.name, p.schema]));
  if (query.length > 0) entry.query = Object.fromEntries(query.map((p) => [p.name, p.schema]));
  if (query.some((p) => p.required)) entry.required = query.filter((p) => p.required).map((p) => p.name);
  return entry;
}

const operations = [];
for (const [path, item] of Object.entries(api.paths)) {
  for (const method of methods) {
    const op = item[method];
    if (!op) continue;
    const entry = entryFor(path, method, item, op);
    if (op.requestBody) {
      const body = resolve(op.requestBody);
      if (withBody.has(op.operationId)) {
        const json = body.content["application/json"];
        if (!json) throw new Error(`${op.operationId} has no application/json body`);
        entry.body = { required: body.required === true, schema: toJsonSchema(json.schema) };
      } else {
        entry.body = "not extracted";
      }
    }
    operations.push(entry);
  }
}

const missing = [...withBody].filter((id) => !operations.some((o) => o.id === id));
if (missing.length > 0) throw new Error(`not in the description: ${missing.join(", ")}`);
if (unknown.size > 0) console.warn(`schema keywords neither kept nor dropped (check toJsonSchema): ${[...unknown].join(", ")}`);

const header = { source: `@octokit/openapi ${version}, generated/api.github.com.json (MIT); regenerate with extract.mjs` };
const lines = operations.map((o) => "    " + JSON.stringify(o));
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), "openapi.requests.json"),
  `{\n  "source": ${JSON.stringify(header.source)},\n  "operations": [\n${lines.join(",\n")}\n  ]\n}\n`);
console.log(`wrote ${operations.length} operations, ${operations.filter((o) => typeof o.body === "object").length} with a body schema`);
