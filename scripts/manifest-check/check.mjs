// Validates every document of the given Kubernetes manifests (plain YAML, several documents per file) against the
// Kubernetes API schemas that kubernetes-models bundles (compiled at package build: nothing is fetched here).
// Required fields, types, enums and formats are checked by the schemas; those leave additionalProperties open, so
// unknown (misspelt or misplaced) fields are found by strict.mjs against the package's type declarations.
// Usage: node check.mjs file.yaml...   exit 0: all valid; 1: errors listed on stderr.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { unknownFields } from "./strict.mjs";

const kindsToModule = {
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "rbac.authorization.k8s.io/v1/Role": "kubernetes-models/rbac.authorization.k8s.io/v1/Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
};

const errors = [];
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length) { errors.push(`${file} #${index + 1}: YAML: ${doc.errors[0].message}`); continue; }
    const object = doc.toJS();
    if (object == null) continue;
    if (file.endsWith("kustomization.yaml")) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const where = `${file} #${index + 1} ${object.kind ?? "?"} ${object.metadata?.name ?? ""}`;
    const module = kindsToModule[key];
    if (!module) { errors.push(`${where}: no schema for ${key}`); continue; }
    const { [object.kind]: Model } = await import(module);
    try {
      new Model(object).validate();
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
      continue;
    }
    const unknown = unknownFields(object, module);
    for (const u of unknown) errors.push(`${where}: ${u}`);
    if (unknown.length === 0) checked++;
  }
}
if (errors.length) {
  for (const e of errors) console.error(e);
  process.exit(1);
}
console.log(`${checked} Kubernetes objects valid against the bundled schemas, no unknown fields`);
