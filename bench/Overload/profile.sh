#!/bin/bash
# Runs the overload benchmark with dotnet-counters on the engine process, then splits the engine's own meters by phase.
# usage: bench/Overload/profile.sh <tag> [overload args...]     e.g. bench/Overload/profile.sh q4 --seconds 60 --set Admission:Edge:MaxQueuedTurns=4
# Needs a Release build of bench (dotnet build -c Release bench) and dotnet-counters (~/.dotnet/tools). Output: $OUT (default: a temp folder).
set -u
tag=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-$(mktemp -d -t overload-profile.XXXXXX)}
counters=$HOME/.dotnet/tools/dotnet-counters
[ -x "$counters" ] || counters=dotnet-counters
cd "$root"
( dotnet run -c Release --no-build --project bench -- overload "$@" 2>&1 | while IFS= read -r l; do echo "$(date +%T.%N | cut -c1-12) $l"; done ) > "$out/$tag.log" &
pid=""
for _ in $(seq 1 120); do
  pid=$(grep -o "engine pid [0-9]*" "$out/$tag.log" | awk '{print $3}')
  [ -n "$pid" ] && break; sleep 1
done
[ -n "$pid" ] || { echo "the engine did not start; see $out/$tag.log"; exit 1; }
# Ends by itself when the engine exits.
"$counters" collect -p "$pid" --refresh-interval 1 --format csv -o "$out/$tag.counters.csv" \
  --counters "Microsoft.AspNetCore.RateLimiting,Microsoft.AspNetCore.Hosting[http.server.request.duration],System.Runtime[dotnet.gc.pause.time,dotnet.process.cpu.time,dotnet.thread_pool.queue.length,dotnet.gc.collections]" \
  > "$out/$tag.counters.out" 2>&1 &
wait
cut -c14- "$out/$tag.log" | tail -9
python3 "$root/bench/Overload/counters_summary.py" "$out/$tag.log" "$out/$tag.counters.csv"
echo "files in $out"
