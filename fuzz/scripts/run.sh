#!/usr/bin/env bash
# Runs one target under afl-fuzz for a bounded time, seeded with fuzz/corpora/<target>.
# Usage: fuzz/scripts/run.sh <target> [seconds=60] [output dir=fuzz/out/findings/<target>]
# Exit 0 when afl++ found no crash and no hang; 1 otherwise (the inputs are in <output>/default/{crashes,hangs}).
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=${2:-60}
findings=${3:-out/findings/$target}
[ -f out/bin/Channels.dll ] || scripts/build.sh
rm -rf "$findings"
mkdir -p "$findings"
# dotnet is not an afl-instrumented binary (SharpFuzz reports coverage itself); the machine is shared, so no CPU pinning,
# and no core_pattern demands: crashes are .NET exceptions, not core dumps.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
       AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1
afl-fuzz -V "$seconds" -t 5000 -m none -i "corpora/$target" -o "$findings" -- dotnet out/bin/Switchboard.Fuzz.dll "$target" > "$findings/afl.log" 2>&1 || true
stats="$findings/default/fuzzer_stats"
[ -f "$stats" ] || { echo "$target: afl-fuzz did not start"; tail -20 "$findings/afl.log"; exit 2; }
get() { grep -E "^$1 *:" "$stats" | sed 's/.*: *//'; }
crashes=$(get saved_crashes); hangs=$(get saved_hangs)
echo "$target: $(get execs_done) execs in ${seconds}s, $(get corpus_count) paths, edges $(get edges_found)/$(get total_edges), crashes $crashes, hangs $hangs"
[ "$crashes" = 0 ] && [ "$hangs" = 0 ]
