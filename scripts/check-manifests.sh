#!/usr/bin/env bash
# Checks the Kubernetes manifests offline against the Kubernetes API schemas bundled (pre-compiled) in the npm package
# kubernetes-models: types, required fields, enums and formats of every object. Installs its pinned packages once
# (npm ci from scripts/manifest-check/package-lock.json); nothing is fetched while checking.
# Usage: scripts/check-manifests.sh [file.yaml ...]   (default: deploy/kubernetes/*.yaml)
# The configuration keys the manifests set are checked against the app by tests/Cluster.Tests (ManifestTests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
checker="$root/scripts/manifest-check"
command -v node >/dev/null || { echo "node is not installed: ./test.sh installs Debian's nodejs and npm" >&2; exit 2; }
if [ ! -d "$checker/node_modules/kubernetes-models" ]; then
  (cd "$checker" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ "$#" -eq 0 ]; then set -- "$root"/deploy/kubernetes/*.yaml; fi
exec node "$checker/check.mjs" "$@"
