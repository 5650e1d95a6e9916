#!/bin/bash
# Profiles one engine peer of `bench -- webhooks` from outside the process, for docs/performance.md.
#   bench/Webhooks/profile/profile-engine.sh trace    file|redis OUT [webhooks options]  dotnet-trace (sampled thread time + GC) of the engine phase
#   bench/Webhooks/profile/profile-engine.sh counters file,redis OUT [options]         dotnet-counters CSV, 1 s interval
#   bench/Webhooks/profile/profile-engine.sh strace   file OUT [options]               strace -c: file and socket syscalls of the engine phase
# The tool attaches when the bench prints the engine peer's name (the silo has started; its warm-up follows) and stops
# when the bench exits. Needs a Release build of bench, and dotnet-trace / dotnet-counters (dotnet tool install -g) or strace.
set -euo pipefail
mode=$1; peers=$2; out=$3; shift 3
root=$(cd "$(dirname "$0")/../../.." && pwd)
export PATH="$PATH:$HOME/.dotnet/tools"
cd "$root"
dotnet bench/bin/Release/net10.0/Bench.dll webhooks --only "$peers" "$@" > "$out.stdout" 2>&1 &
pid=$!
# bounded: at most 60 s for the silo to start
for _ in $(seq 1 600); do grep -q "^engine" "$out.stdout" && break; sleep 0.1; done
case $mode in
  trace)    dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time,gc-collect --duration 00:00:10:00 -o "$out.nettrace" > "$out.tool.log" 2>&1 & ;;
  counters) dotnet-counters collect -p $pid --refresh-interval 1 --format csv -o "$out.csv" --counters "System.Runtime,Switchboard.WhatsApp" > "$out.tool.log" 2>&1 & ;;
  strace)   strace -f -c -e trace=openat,pwrite64,write,rename,renameat,renameat2,fsync,fdatasync,mkdir,unlink,sendto,recvfrom -p $pid -o "$out.strace" 2> "$out.tool.log" & ;;
  *) echo "mode: trace, counters or strace" >&2; kill $pid; exit 2 ;;
esac
tool=$!
rc=0; wait $pid || rc=$?
wait $tool || true
echo "bench exit code $rc" >> "$out.stdout"
if [ "$mode" = trace ]; then
  dotnet-trace convert "$out.nettrace" --format Speedscope -o "$out" > /dev/null
  echo "speedscope: $out.speedscope.json (summarise with bench/Webhooks/profile/stages.py)"
fi
