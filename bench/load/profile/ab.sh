#!/usr/bin/env bash
# Interleaved A/B of two running service instances on one database (bench/README.md "CPU trimming"): rounds of wrk against
# A then B (B then A on even rounds), each after a 3 s warm-up, printing req/s, p50/p99 and the instance's CPU µs per request
# from /proc/<pid>/stat. Needs what run.sh's work folder keeps (BENCH_KEEP=1): the persons file and a hospital key.
#   BENCH_PERSONS_FILE=… BENCH_HOSPITAL_KEY=… bench/load/profile/ab.sh ROUNDS preview.lua PORT_A PID_A PORT_B PID_B [CONNECTIONS] [SECONDS]
set -euo pipefail
load=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_LOAD_DIR=$load
: "${BENCH_PERSONS_FILE:?}" "${BENCH_HOSPITAL_KEY:?}"
rounds=$1 lua=$2 pa=$3 ia=$4 pb=$5 ib=$6 c=${7:-32} d=${8:-15}
t=$(( c < 2 ? c : 2 ))   # wrk needs a connection per thread
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
run() { # port pid label
  local tag="$3$(date +%s%N)" t0 t1 r n
  wrk -t"$t" -c"$c" -d3s -s "$load/$lua" "http://127.0.0.1:$1" -- "w$tag" >/dev/null 2>&1
  t0=$(ticks "$2")
  wrk -t"$t" -c"$c" -d"${d}s" -s "$load/$lua" "http://127.0.0.1:$1" -- "m$tag" >"$out" 2>&1
  t1=$(ticks "$2")
  r=$(grep '^RESULT ' "$out" | sed 's/^RESULT //')
  [ -n "$r" ] || { cat "$out"; exit 2; }
  n=$(jq .requests <<<"$r")
  printf '%s %s rps=%7.1f p50=%6.2f p99=%7.2f cpu_us=%5d load=%s statuses=%s\n' "$(date +%T)" "$3" "$(jq .rps <<<"$r")" "$(jq .p50_ms <<<"$r")" \
    "$(jq .p99_ms <<<"$r")" $(( (t1 - t0) * 1000000 / hz / n )) "$(cut -d' ' -f1 /proc/loadavg)" "$(jq -c .statuses <<<"$r")"
}
for i in $(seq 1 "$rounds"); do
  if [ $((i % 2)) = 1 ]; then run "$pa" "$ia" A; run "$pb" "$ib" B; else run "$pb" "$ib" B; run "$pa" "$ia" A; fi
done
