#!/usr/bin/env bash
# The /match load benchmark of the API issue: a 1 000 000-line generation
# served by kycmatch, side by side with a chi handler returning a fixed JSON
# body, both driven by wrk from a separate process on 127.0.0.1 in the same
# run; then a constant 5 000 requests/s with vegeta for the p99.
#
#   bench/api.sh              # LINES=1000000 DURATION=20s RATE=5000 LOG_LEVEL=info (RATE=0: wrk only)
#
# With PROFILE=FILE it also saves a CPU profile of serve during the /match
# run (bench/pgo.sh uses it); GOFLAGS=-pgo=off measures a build without
# cmd/kycmatch/default.pgo.
#
# Work files (export, keyring, generation) stay in $BENCH_DIR for re-runs;
# remove $BENCH_DIR/data after an upgrade that changes the record format.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-/tmp/kycmatch-bench}
LINES=${LINES:-1000000}
DURATION=${DURATION:-20s}
RATE=${RATE:-5000}
LOG_LEVEL=${LOG_LEVEL:-info}
mkdir -p "$W"
command -v wrk >/dev/null || apt-get install -y wrk
VEGETA=$(go env GOPATH)/bin/vegeta
[ -x "$VEGETA" ] || go install github.com/tsenart/vegeta/v12@v12.12.0
go build -o "$W/kycmatch" ./cmd/kycmatch
go build -o "$W/benchapi" ./tools/benchapi
export KYCMATCH_KEYRING=$W/keyring KYCMATCH_DATA=$W/data
[ -f "$W/keyring" ] || "$W/kycmatch" keys init
[ -f "$W/export.csv" ] || "$W/kycmatch" gen --count "$LINES" --seed 1 --out "$W/export.csv"
[ -f "$W/data/CURRENT" ] || "$W/kycmatch" ingest --quiet "$W/export.csv"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$W/benchapi" -export "$W/export.csv" -out "$W/b" -fixed 127.0.0.1:18081 >"$W/benchapi.log" 2>&1 & pids+=($!)
sleep 2
"$W/kycmatch" serve --addr 127.0.0.1:18080 --admin-addr 127.0.0.1:19090 --jwks "$W/b/jwks.json" \
  --issuer https://bench.invalid --audience bench --log-level "$LOG_LEVEL" ${PROFILE:+--admin-pprof} >"$W/serve.log" 2>&1 & pids+=($!)
until curl -sf 127.0.0.1:19090/readyz >/dev/null; do sleep 0.2; done

run_wrk() { wrk -t1 -c32 -d"$DURATION" -s "$W/b/bodies.lua" --latency "$1" | tee "$W/wrk-$2.txt" | grep -E "Requests/sec|99%|Non-2xx|errors"; }
if [ -n "${PROFILE:-}" ]; then
  secs=$(( ${DURATION%s} - 2 ))
  (sleep 1; curl -sf "127.0.0.1:19090/debug/pprof/profile?seconds=$secs" -o "$PROFILE") & pids+=($!)
fi
echo "== kycmatch /match (10 attributes, $LINES lines)"; run_wrk http://127.0.0.1:18080/kyc-match/vwip/match match
[ -z "${PROFILE:-}" ] || wait "${pids[-1]}"
echo "== fixed-body chi handler";                        run_wrk http://127.0.0.1:18081/kyc-match/vwip/match fixed
m=$(awk '/Requests\/sec/{print $2}' "$W/wrk-match.txt"); f=$(awk '/Requests\/sec/{print $2}' "$W/wrk-fixed.txt")
echo "ratio match/fixed: $(awk -v m="$m" -v f="$f" 'BEGIN{printf "%.2f", m/f}')"
[ "$RATE" != 0 ] || exit 0 # RATE=0: no constant-rate runs
# vegeta runs with its garbage collector off: its own GC pauses otherwise
# show up as the servers' tail (README, Performance). The fixed handler's
# run is the floor this machine can measure.
rate() { GOGC=off "$VEGETA" attack -format=json -rate="$RATE" -duration="$DURATION" -targets="$1" | "$VEGETA" report | tee "$W/vegeta-$2.txt" | grep -E "Latencies|Success"; }
echo "== kycmatch /match at a constant $RATE req/s for $DURATION"; rate "$W/b/targets.jsonl" match
sed 's/:18080/:18081/' "$W/b/targets.jsonl" >"$W/b/targets-fixed.jsonl"
echo "== fixed-body chi handler at a constant $RATE req/s";     rate "$W/b/targets-fixed.jsonl" fixed
