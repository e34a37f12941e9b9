#!/usr/bin/env bash
# Page latency on a short and a long history: not a timed test, a measurement.
#
# Makes `amends demo --years 1` and `--years 10` data directories, starts the
# server on loopback for each, signs in as Mira over HTTP (curl, cookie jar)
# and runs wrk against Today (/), the timeline, an older page of the
# timeline (?before=<middle entry>) and a commitment page (the daily one,
# whose history is the longest), printing the median and 95th-percentile
# latency of each. Then it times `amends export` on the 10-year history and
# prints the copy's size.
#
# Usage (from the repository root):
#   tests/bench/pages.sh --build      # builds the release binary first (cargo build --release)
#   tests/bench/pages.sh              # uses an existing target/release/amends
#
# Settings (environment):
#   AMENDS_BIN   the binary (default target/release/amends); e.g.
#                AMENDS_BIN=target/debug/amends for a quick try of the script
#   DURATION     how long wrk runs per page (default 10s)
#   CONNECTIONS  wrk connections (default 4);  THREADS  wrk threads (default 2)
#   YEARS        the histories to measure (default "1 10")
#   WORK         where the demo directories go (default a new temporary
#                directory, removed at the end). Demo directories already
#                in WORK are reused, so a second run skips making them.
#   PORT         the loopback port (default 3990)
#
# wrk is Debian's package `wrk`; the script installs it with apt-get when it
# is missing. Everything runs on 127.0.0.1 only.

set -euo pipefail

cd "$(dirname "$0")/../.."

BIN=${AMENDS_BIN:-target/release/amends}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=${THREADS:-2}
YEARS=${YEARS:-"1 10"}
PORT=${PORT:-3990}
BASE="http://127.0.0.1:$PORT"

if [[ "${1:-}" == "--build" ]]; then
    cargo build --release
fi
if [[ ! -x "$BIN" ]]; then
    echo "no binary at $BIN: run with --build, or build it with 'cargo build --release'," >&2
    echo "or point AMENDS_BIN at one (e.g. AMENDS_BIN=target/debug/amends)." >&2
    exit 1
fi
if ! command -v wrk >/dev/null; then
    echo "installing wrk…"
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get install -y wrk >/dev/null
fi

if [[ -n "${WORK:-}" ]]; then
    mkdir -p "$WORK"
    KEEP_WORK=1
else
    WORK=$(mktemp -d)
    KEEP_WORK=0
fi

SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    if [[ $KEEP_WORK -eq 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# wrk prints "p50 p95" (in milliseconds) from its latency histogram.
LUA="$WORK/percentiles.lua"
cat >"$LUA" <<'EOF'
done = function(summary, latency, requests)
   local errors = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
   io.write(string.format("RESULT %.2f %.2f %d %d\n",
      latency:percentile(50) / 1000, latency:percentile(95) / 1000,
      summary.requests, errors))
end
EOF

declare -a ROWS=()

for years in $YEARS; do
    dir="$WORK/demo-${years}y"
    out="$WORK/demo-${years}y.txt"
    if [[ ! -f "$dir/amends.db" || ! -f "$out" ]]; then
        rm -rf "$dir"
        echo "making a ${years}-year demo history…"
        start=$(date +%s%N)
        "$BIN" demo --data-dir "$dir" --years "$years" >"$out" 2>/dev/null
        end=$(date +%s%N)
        echo "  made in $(( (end - start) / 1000000 )) ms: $(grep '^Done' "$out")"
    fi
    password=$(awk '$1 == "Mira" { print $3 }' "$out")
    entries=$("$BIN" verify --data-dir "$dir" 2>/dev/null | awk '{ print $2 }')
    middle=$((entries / 2))
    # The demo's first commitment is the daily one, with the longest history.
    commitment=1

    "$BIN" --data-dir "$dir" --bind "127.0.0.1:$PORT" >"$WORK/server-${years}y.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if curl -sf "$BASE/healthz" >/dev/null; then break; fi
        sleep 0.1
    done

    jar="$WORK/cookies-${years}y.txt"
    status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
        -H 'Sec-Fetch-Site: same-origin' \
        --data-urlencode "name=Mira" --data-urlencode "password=$password" \
        -d remember=on "$BASE/login")
    if [[ "$status" != "303" ]]; then
        echo "signing in as Mira answered $status" >&2
        exit 1
    fi
    cookie=$(awk '$6 ~ /amends_session$/ { print $6 "=" $7 }' "$jar")

    for path in "/" "/timeline" "/timeline?before=$middle" "/commitments/$commitment"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE$path")
        if [[ "$code" != "200" ]]; then
            echo "GET $path answered $code" >&2
            exit 1
        fi
        result=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
            -H "Cookie: $cookie" -s "$LUA" "$BASE$path" | grep '^RESULT')
        read -r _ p50 p95 count errors <<<"$result"
        ROWS+=("$(printf '%-6s %-28s %9s %9s %9s %7s' "${years}y" "$path" "$p50" "$p95" "$count" "$errors")")
        echo "${ROWS[-1]}"
    done
    stop_server

    if [[ "$years" == "10" ]]; then
        copy="$WORK/copy-10y.zip"
        rm -f "$copy"
        start=$(date +%s%N)
        "$BIN" export --data-dir "$dir" "$copy" >/dev/null 2>&1
        end=$(date +%s%N)
        EXPORT_LINE="amends export on 10 years ($entries entries): $(( (end - start) / 1000000 )) ms, ZIP $(stat -c %s "$copy") bytes"
        echo "$EXPORT_LINE"
    fi
done

echo
echo "binary: $BIN; wrk -t $THREADS -c $CONNECTIONS -d $DURATION on 127.0.0.1 (milliseconds)"
printf '%-6s %-28s %9s %9s %9s %7s\n' "data" "page" "p50" "p95" "requests" "errors"
for row in "${ROWS[@]}"; do echo "$row"; done
if [[ -n "${EXPORT_LINE:-}" ]]; then echo "$EXPORT_LINE"; fi
