#!/usr/bin/env bash
# A local Switchboard cluster on this machine: one real redis-server, 3 silos (Role=silo) and 2 gateways (Role=gateway)
# of the one Silo binary, built once in Release. State, logs and pids live in one folder (CLUSTER_DIR, default ./.cluster).
# Usage: ./cluster.sh start [--no-build] [--Section:Key=value ...]   extra keys go to every process
#        ./cluster.sh stop      SIGTERM to every process (silos leave the membership cleanly), SIGKILL after 30 s
#        ./cluster.sh status    each process: pid, alive, its HTTP address and /healthz
# Ports (override with the variables): REDIS_PORT 6390; silos HTTP 8090-8092, silo 11111-11113, gateway 30000-30002;
# gateways HTTP 8081-8082, SIP 5061-5062, RTP 20000-24999 / 25000-29999. docs/cluster.md says what runs where.
set -euo pipefail
cd "$(dirname "$0")"

DIR="${CLUSTER_DIR:-$PWD/.cluster}"
REDIS_PORT="${REDIS_PORT:-6390}"
SILO_HTTP="${SILO_HTTP:-8090}"
SILO_PORT="${SILO_PORT:-11111}"
SILO_GATEWAY_PORT="${SILO_GATEWAY_PORT:-30000}"
GATEWAY_HTTP="${GATEWAY_HTTP:-8081}"
GATEWAY_SIP="${GATEWAY_SIP:-5061}"
SILOS="${SILOS:-3}"
GATEWAYS="${GATEWAYS:-2}"
# SWITCHBOARD_DLL: run an already built engine instead (tests point it at their own build; implies --no-build).
BINARY="${SWITCHBOARD_DLL:-Silo/bin/Release/net10.0/Switchboard.Silo.dll}"

names() {
  echo redis
  for i in $(seq 1 "$SILOS"); do echo "silo$i"; done
  for i in $(seq 1 "$GATEWAYS"); do echo "gateway$i"; done
}

alive() { [ -f "$DIR/pids/$1" ] && kill -0 "$(cat "$DIR/pids/$1")" 2>/dev/null; }

http_of() {
  case "$1" in
    silo*) echo "http://127.0.0.1:$((SILO_HTTP + ${1#silo} - 1))" ;;
    gateway*) echo "http://127.0.0.1:$((GATEWAY_HTTP + ${1#gateway} - 1))" ;;
    *) echo "" ;;
  esac
}

# A secret made once and kept (mode 0600) so a restarted cluster keeps its customers and its keys.
secret() {
  local file="$DIR/secrets/$1"
  if [ ! -s "$file" ]; then (umask 077; eval "$2" > "$file"); fi
  cat "$file"
}

# A process that dies before it is healthy is started once more, as a supervisor (Kubernetes, systemd) would; what
# killed it is printed first: the first error lines and the unhandled exception, not only the tail of a stack trace.
wait_healthy() {
  local name=$1 url=$2 restarted=0
  for _ in $(seq 1 180); do
    if curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; then return 0; fi
    if ! alive "$name"; then
      echo "$name exited during start-up; its log: $DIR/logs/$name.log" >&2
      grep -m 3 -E "^(fail|crit)|Unhandled exception" -A 3 "$DIR/logs/$name.log" >&2 || true
      tail -n 20 "$DIR/logs/$name.log" >&2
      if [ "$restarted" = 0 ] && [ -n "${COMMANDS[$name]:-}" ]; then
        restarted=1
        echo "restarting $name once" >&2
        eval "${COMMANDS[$name]}" >> "$DIR/logs/$name.log" 2>&1 &
        echo $! > "$DIR/pids/$name"
        continue
      fi
      return 1
    fi
    sleep 0.5
  done
  echo "$name did not answer $url/healthz within 90 s; its log: $DIR/logs/$name.log" >&2
  return 1
}

declare -A COMMANDS
start_process() {
  local name=$1; shift
  if alive "$name"; then echo "$name already running (pid $(cat "$DIR/pids/$name"))"; return 0; fi
  COMMANDS[$name]=$(printf '%q ' "$@")
  "$@" >> "$DIR/logs/$name.log" 2>&1 &
  echo $! > "$DIR/pids/$name"
}

start() {
  local build=1 extra=()
  for a in "$@"; do
    if [ "$a" = "--no-build" ]; then build=0; else extra+=("$a"); fi
  done
  command -v redis-server >/dev/null || scripts/apt-ensure.sh redis-server
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/secrets" "$DIR/redis"
  chmod 700 "$DIR/secrets"
  [ -n "${SWITCHBOARD_DLL:-}" ] && build=0
  if [ "$build" = 1 ]; then dotnet build Silo -c Release -v q -nologo; fi
  [ -f "$BINARY" ] || { echo "$BINARY is missing: run without --no-build" >&2; exit 1; }

  local admin pii app_secret
  admin=$(secret admin-api-key "openssl rand -hex 24")
  pii=$(secret pii-master-key "openssl rand -base64 32")
  app_secret=$(secret whatsapp-app-secret "openssl rand -hex 16")

  # Redis keeps membership, grain state, the journal and reminders; append-only so a restarted Redis keeps them.
  start_process redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR/redis" \
    --appendonly yes --appendfsync everysec --save ''
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

  # Environment shared by every process; the cluster's membership timings are in Silo/appsettings.json (Orleans:Membership).
  export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT,abortConnect=false"
  export Admin__ApiKey="$admin" Pii__MasterKey="$pii" WhatsApp__AppSecret="$app_secret"
  export WhatsApp__VerifyToken="${WhatsApp__VerifyToken:-cluster-verify}"
  export Orleans__ClusterId="${Orleans__ClusterId:-local}"
  export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Production}"

  local i
  for i in $(seq 1 "$SILOS"); do
    start_process "silo$i" env Role=silo dotnet "$BINARY" --urls "$(http_of "silo$i")" \
      --Orleans:SiloPort=$((SILO_PORT + i - 1)) --Orleans:GatewayPort=$((SILO_GATEWAY_PORT + i - 1)) \
      --Storage:Path="$DIR/data/silo$i" "${extra[@]}"
  done
  for i in $(seq 1 "$SILOS"); do wait_healthy "silo$i" "$(http_of "silo$i")"; done
  local rtp_span=$(( 10000 / GATEWAYS ))
  for i in $(seq 1 "$GATEWAYS"); do
    start_process "gateway$i" env Role=gateway dotnet "$BINARY" --urls "$(http_of "gateway$i")" \
      --Sip:Port=$((GATEWAY_SIP + i - 1)) --Sip:RtpPortMin=$((20000 + (i - 1) * rtp_span)) \
      --Sip:RtpPortMax=$((20000 + i * rtp_span - 1)) --Storage:Path="$DIR/data/gateway$i" "${extra[@]}"
  done
  for i in $(seq 1 "$GATEWAYS"); do wait_healthy "gateway$i" "$(http_of "gateway$i")"; done
  status
  echo
  echo "webhooks, web chat, SIP: the gateways ($(http_of gateway1), $(http_of gateway2); SIP udp $GATEWAY_SIP, $((GATEWAY_SIP + 1)))"
  echo "admin API and dashboard: the silos ($(http_of silo1)/dashboard/, password = admin key)"
  echo "admin key: $DIR/secrets/admin-api-key   WhatsApp app secret: $DIR/secrets/whatsapp-app-secret   logs: $DIR/logs/"
}

stop() {
  # Gateways first (they drain their channels), then the silos together (each leaves the membership through Redis), Redis last.
  stop_tier $(names | grep '^gateway' || true)
  stop_tier $(names | grep '^silo' || true)
  stop_tier redis
}

stop_tier() {
  local name pid
  for name in "$@"; do
    alive "$name" || { rm -f "$DIR/pids/$name"; continue; }
    kill -TERM "$(cat "$DIR/pids/$name")"
  done
  for name in "$@"; do
    [ -f "$DIR/pids/$name" ] || continue
    pid=$(cat "$DIR/pids/$name")
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name (pid $pid) ignored SIGTERM for 30 s: SIGKILL"; kill -KILL "$pid"; fi
    rm -f "$DIR/pids/$name"
    echo "stopped $name"
  done
}

status() {
  local name url health any=1
  printf '%-10s %-8s %-6s %-24s %s\n' process pid alive http healthz
  for name in $(names); do
    url=$(http_of "$name")
    if alive "$name"; then
      any=0
      health=-
      [ -n "$url" ] && health=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true)
      [ "$name" = redis ] && health=$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || echo down)
      printf '%-10s %-8s %-6s %-24s %s\n' "$name" "$(cat "$DIR/pids/$name")" yes "${url:-127.0.0.1:$REDIS_PORT}" "$health"
    else
      printf '%-10s %-8s %-6s %-24s %s\n' "$name" - no "${url:-127.0.0.1:$REDIS_PORT}" -
    fi
  done
  return $any
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
