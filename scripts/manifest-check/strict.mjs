// Unknown fields: the Kubernetes API schemas leave additionalProperties open, so a misspelt field (`replica:`,
// `imagePullPolicy` under the wrong parent) passes schema validation and is silently dropped by the API server.
// This walks each object beside the type declarations kubernetes-models ships (`*.d.ts`, generated from the same
// OpenAPI schemas: one interface per type, one quoted property per line) and reports every field its type does
// not declare, with its path, as `kubectl apply --validate=strict` would.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const modules = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const types = new Map(); // .d.ts path -> { kind: "object", props: Map(name -> type text), imports } | { kind: "alias" }

function declarationFile(spec, from) {
  const base = spec.startsWith(".") ? resolve(dirname(from), spec) : join(modules, spec);
  const file = base.replace(/\.js$/, "") + ".d.ts";
  if (!existsSync(file)) throw new Error(`strict check: no type declarations at ${file}`);
  return file;
}

function load(file) {
  if (types.has(file)) return types.get(file);
  const text = readFileSync(file, "utf8").replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, "");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm))
    for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, m[2]);
  const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}$/m);
  let type;
  if (!body) type = { kind: "alias" }; // a scalar alias (Quantity, IntOrString, Time): nothing to walk into
  else {
    const props = new Map();
    // One property per entry at four spaces: `"name"?: Type;`, a map type spanning lines ends at `    };`.
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: ([\s\S]*?);\n(?= {4}"|$)/gm)) props.set(m[1], m[2].replace(/\s+/g, " "));
    type = { kind: "object", props, imports };
  }
  types.set(file, type);
  return type;
}

/** Checks `value` against the type text `typeText` written in `file`; pushes "path: unknown field" to `errors`. */
function check(value, typeText, file, path, errors) {
  if (value === null || typeof value !== "object") return;
  const array = typeText.match(/^Array<(.+)>$/);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => check(v, array[1], file, `${path}/${i}`, errors));
    return;
  }
  const map = typeText.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    for (const [k, v] of Object.entries(value)) check(v, map[1], file, `${path}/${k}`, errors);
    return;
  }
  const name = typeText.match(/^(\w+)$/)?.[1];
  const spec = name && load(file).imports?.get(name);
  if (!spec) return; // a primitive, a literal, or an open type
  checkObject(value, declarationFile(spec, file), path, errors);
}

function checkObject(value, file, path, errors) {
  const type = load(file);
  if (type.kind !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const propType = type.props.get(key);
    if (propType === undefined) errors.push(`${path || "/"}: unknown field "${key}"`);
    else check(v, propType, file, `${path}/${key}`, errors);
  }
}

/** Unknown fields of a whole object whose model module is `module` (e.g. kubernetes-models/apps/v1/Deployment). */
export function unknownFields(object, module) {
  const errors = [];
  checkObject(object, declarationFile(module, modules), "", errors);
  return errors;
}
