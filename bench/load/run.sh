#!/usr/bin/env bash
# The load benchmark, one command (bench/README.md): a throwaway PostgreSQL cluster on 127.0.0.1:55701, the
# service and a bare baseline app in Release, 100 000 seeded persons, then wrk (baseline, preview, settle) and
# pgbench (the settlement's SQL in two forms, the preview's SQL) at the same concurrency. Prints req/s, p50/p99
# and CPU per request, the ratios, the error and ledger checks, and writes bench/results/load-<timestamp>.json.
# Issue 12 adds a second service instance with Database:Batching off, for 1-connection runs of both routes on both
# instances (the batching must not delay a request alone), the batch sizes from /metrics and the preview audit check.
# Exit status 0 when every target holds, 1 when one does not, 2 when the harness itself failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
load="$root/bench/load"

duration=${BENCH_DURATION:-20}        # seconds measured per run
warmup=${BENCH_WARMUP:-5}             # seconds of warm-up before each, not measured
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
persons=${BENCH_PERSONS:-100000}
pool=${BENCH_POOL_SIZE:-8}            # Npgsql Maximum Pool Size of the service: 8 beat 4, 16 and 64 on 2 cores (bench/README.md)
# Npgsql tuning of the service's connection string (bench/README.md); BENCH_NPGSQL_TUNING= (empty) measures without.
npgsql_tuning=${BENCH_NPGSQL_TUNING-"Max Auto Prepare=32;No Reset On Close=true"}
pg_port=${BENCH_PG_PORT:-55701}
api_port=${BENCH_API_PORT:-55711}
unbatched_port=${BENCH_API_UNBATCHED_PORT:-55713}   # the same service with Database__Batching__Enabled=false
duration_1conn=${BENCH_DURATION_1CONN:-10}          # seconds measured per 1-connection run
baseline_port=${BENCH_BASELINE_PORT:-55712}
paced_port=${BENCH_BASELINE_PACED_PORT:-55714}      # the baseline again, each answer after a 4 ms timer (for information)
batching=${BENCH_BATCHING:-true}                    # Database:Batching:Enabled of the main instance (false: the per-request path at 32 connections)
writers=${BENCH_WRITERS:-}                          # Database:Batching:Writers of the main instance (empty: the service's default)
results_dir=${BENCH_RESULTS_DIR:-$root/bench/results}
host=127.0.0.1                        # loopback only

say() { printf '%s  %s\n' "$(date +%T)" "$*" >&2; }
die() { say "error: $*"; exit 2; }

apt_install() {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; fi
}

# --- tools: wrk and jq from Debian; PostgreSQL 15 server binaries (with pgbench) from the image or Debian --------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v pgrep >/dev/null || missing+=(procps)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then say "installing ${missing[*]} from Debian"; apt_install "${missing[@]}"; fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -x "$pg_bin/pgbench" ]; then say "installing postgresql-contrib (pgbench)"; apt_install postgresql-contrib; fi
pgbench="$pg_bin/pgbench"
psql_cmd() { "$pg_bin/psql" -h "$host" -p "$pg_port" -U postgres -d claims -v ON_ERROR_STOP=1 -qAt "$@"; }

# --- work folder, and cleanup of exactly what this script started ----------------------------------------------------
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
work=$(mktemp -d /tmp/claims-load-XXXXXX)
chmod 755 "$work"
pg_data="$work/pg"
mkdir -p "$pg_data"
[ "$(id -u)" = 0 ] && chown postgres "$pg_data" "$work"
api_pid=""; baseline_pid=""; unbatched_pid=""; paced_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  [ -n "$unbatched_pid" ] && kill "$unbatched_pid" 2>/dev/null && wait "$unbatched_pid" 2>/dev/null || true
  [ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null && wait "$baseline_pid" 2>/dev/null || true
  [ -n "$paced_pid" ] && kill "$paced_pid" 2>/dev/null && wait "$paced_pid" 2>/dev/null || true
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- PostgreSQL: durable (fsync, synchronous_commit and full_page_writes on, as in production); memory for the
# working set; checkpoints pushed out of the measured minute. One cluster serves the service and pgbench alike.
pg_settings="-p $pg_port -k $work -c listen_addresses=$host -c max_connections=200 -c shared_buffers=1GB \
  -c effective_cache_size=4GB -c wal_buffers=16MB -c max_wal_size=8GB -c checkpoint_timeout=30min \
  -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c jit=off ${BENCH_PG_SETTINGS:-}"
as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w -o "$pg_settings" start >/dev/null
"$pg_bin/psql" -h "$host" -p "$pg_port" -U postgres -d postgres -qAt -c "CREATE DATABASE claims" >/dev/null
say "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $host:$pg_port"

# --- build both apps in Release --------------------------------------------------------------------------------------
say "building the service and the baseline (Release)"
dotnet build src/ClaimsService.Api -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; die "service build failed"; }
dotnet build bench/load/Baseline -c Release -nologo -v q >"$work/build-baseline.log" 2>&1 || { cat "$work/build-baseline.log"; die "baseline build failed"; }
api_dll="$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll"
baseline_dll="$root/bench/load/Baseline/bin/Release/net10.0/Baseline.dll"

# --- the service against the cluster ---------------------------------------------------------------------------------
cs="Host=$host;Port=$pg_port;Username=postgres;Database=claims;Maximum Pool Size=$pool${npgsql_tuning:+;$npgsql_tuning}"
api_env=(ASPNETCORE_URLS="http://$host:$api_port" ASPNETCORE_ENVIRONMENT=Production
  Database__Provider=PostgreSql "ConnectionStrings__Claims=$cs" Database__ReferenceDataPath="$root/deploy/reference-data" Database__Batching__Enabled=$batching
  ${writers:+Database__Batching__Writers=$writers} Logging__LogLevel__Default=Warning)
wait_ready() { # url name pid log: its log is shown before the harness gives up (die exits, so no caller can show it)
  for _ in $(seq 1 120); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    kill -0 "$3" 2>/dev/null || { cat "$4" >&2; die "$2 exited during start (its log above)"; }
    sleep 0.5
  done
  cat "$4" >&2
  die "$2 did not get ready (its log above)"
}
env "${api_env[@]}" dotnet "$api_dll" >"$work/api.log" 2>&1 &
api_pid=$!
wait_ready "http://$host:$api_port/health/ready" service "$api_pid" "$work/api.log"
say "service ready on $host:$api_port (pool $pool)"
# A second instance on the same database with batching off (migrated and seeded by the first): the 1-connection twins.
env "${api_env[@]}" ASPNETCORE_URLS="http://$host:$unbatched_port" Database__Batching__Enabled=false \
  Database__MigrateOnStart=false Database__SeedOnStart=false dotnet "$api_dll" >"$work/api-unbatched.log" 2>&1 &
unbatched_pid=$!
wait_ready "http://$host:$unbatched_port/health/ready" "unbatched service" "$unbatched_pid" "$work/api-unbatched.log"
say "service with batching off ready on $host:$unbatched_port"

cli() { env "${api_env[@]}" dotnet "$api_dll" "$@"; }
admin_key=$(cli keys create --role admin --name bench-admin | tail -n 1)
hospital_key=$(cli keys create --role hospital --hospital H4503000001 --name bench-hospital | tail -n 1)

# --- 100 000 persons with valid resident IDs (ISO 7064 MOD 11-2), Guilin (450305), distinct birth dates per 1000 ----
persons_file="$work/persons.txt"
awk -v n="$persons" 'BEGIN {
  split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " "); checks = "10X98765432"
  for (i = 0; i < n; i++) {
    d = int(i / 1000)
    id = sprintf("450305%04d%02d%02d%03d", 1950 + int(d / 12) % 60, 1 + d % 12, 1 + int(d / 720) % 28, i % 1000)
    s = 0; for (k = 1; k <= 17; k++) s += substr(id, k, 1) * w[k]
    print id substr(checks, s % 11 + 1, 1)
  }
}' >"$persons_file"
[ "$(sort -u "$persons_file" | wc -l)" -eq "$persons" ] || die "persons are not unique"

# Registry entries for a share of them, through the API in batches of 5 000: every 5th person registered poor
# since 2016, every 20th (offset 1) poverty-monitored since 2019; the others have no entry (general).
mkdir -p "$work/registry"
awk 'NR % 5 == 1 { print $0 " registered_poor 2016-01-01" } NR % 20 == 2 { print $0 " poverty_monitored 2019-01-01" }' "$persons_file" \
  | awk -v dir="$work/registry" '{
      file = sprintf("%s/%04d.json", dir, int((NR - 1) / 5000))
      if ((NR - 1) % 5000 == 0) { if (NR > 1) { print "]" > prev; close(prev) } printf "[" > file; sep = "" }
      printf "%s{\"insuredId\":\"%s\",\"regionCode\":\"450300\",\"category\":\"%s\",\"validFrom\":\"%s\",\"validTo\":null,\"source\":\"bench seed\"}", sep, $1, $2, $3 > file
      sep = ","; prev = file
    } END { if (NR > 0) print "]" > prev }'
registry_entries=0
for batch in "$work"/registry/*.json; do
  # Seeding, not measured: on a loaded machine a 5 000-entry batch can outlast Database:TimeoutSeconds (503, rolled back);
  # the answer says to send it again, so it is, up to 3 times.
  for attempt in 1 2 3 4; do
    answer=$(curl -sS -w '\n%{http_code}' -X POST -H "Authorization: ApiKey $admin_key" -H 'Content-Type: application/json' \
      --data-binary "@$batch" "http://$host:$api_port/v1/registry/entries")
    [ "$(tail -n 1 <<<"$answer")" = 503 ] && [ "$attempt" -lt 4 ] || break
    say "registry batch ${batch##*/} answered 503, sending it again"; sleep 2
  done
  [ "$(tail -n 1 <<<"$answer")" = 201 ] || die "registry batch $batch: $answer"
  registry_entries=$((registry_entries + $(head -n 1 <<<"$answer" | jq .recorded)))
done
# The same shares for pgbench's own persons (SQL, since they are only rows to the database).
psql_cmd -c "INSERT INTO person_categories (insured_id, region_code, category, valid_from, source, recorded_at, recorded_by)
  SELECT '450305' || lpad(g::text, 12, '0'), '450300', 'registered_poor', DATE '2016-01-01', 'bench seed', now(), 'bench' FROM generate_series(1, $persons) g WHERE g % 5 = 1
  UNION ALL
  SELECT '450305' || lpad(g::text, 12, '0'), '450300', 'poverty_monitored', DATE '2019-01-01', 'bench seed', now(), 'bench' FROM generate_series(1, $persons) g WHERE g % 20 = 2"
# Every person, the service's and pgbench's, starts 2020 with a ledger row at zero: each run then takes the same
# path (the row exists), and none pays for creating rows that a later run reuses.
psql_cmd -c "INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
  SELECT '450300', insured_id, 2020, 0, 0, 0, now() FROM (
    SELECT unnest(string_to_array(pg_read_file('$persons_file'), E'\\n')) AS insured_id
    UNION ALL SELECT '450305' || lpad(g::text, 12, '0') FROM generate_series(1, $persons) g) p
  WHERE insured_id <> ''"
psql_cmd -c "VACUUM ANALYZE" >/dev/null
say "seeded $persons persons, $registry_entries registry entries through the API (and the same shares for pgbench)"

# --- one real preview answer: the baseline sends a body of exactly its size ------------------------------------------
sample=$(printf '{"settlementId":"SAMPLE-1","insuredId":"%s","regionCode":"450300","admissionDate":"2020-10-01","dischargeDate":"2020-10-12","inPolicyCost":80000.00,"basicInsurancePaid":30000.00,"referredOutOfRegion":false}' "$(sed -n 2p "$persons_file")")
code=$(curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST -H "Authorization: ApiKey $hospital_key" -H 'Content-Type: application/json' \
  -d "$sample" "http://$host:$api_port/v1/settlements/preview")
[ "$code" = 200 ] || die "sample preview answered $code: $(cat "$work/answer.json")"
answer_bytes=$(wc -c <"$work/answer.json")

ASPNETCORE_URLS="http://$host:$baseline_port" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  BASELINE_BODY_FILE="$work/answer.json" dotnet "$baseline_dll" >"$work/baseline.log" 2>&1 &
baseline_pid=$!
wait_ready "http://$host:$baseline_port/health/ready" baseline "$baseline_pid" "$work/baseline.log"
say "baseline ready on $host:$baseline_port (answers $answer_bytes bytes, the size of a preview answer)"
# The same app paced: each answer after a 4 ms timer, so that 32 connections get about the service's rate (5 600-5 800 a
# second here). The baseline's CPU per request is measured at 50 000 a second or more, where one wake-up and one send serve many
# requests; this one shows what the framework alone costs a request at the service's rate (for information, not a target).
ASPNETCORE_URLS="http://$host:$paced_port" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  BASELINE_BODY_FILE="$work/answer.json" BASELINE_DELAY_MS=4 dotnet "$baseline_dll" >"$work/baseline-paced.log" 2>&1 &
paced_pid=$!
wait_ready "http://$host:$paced_port/health/ready" "paced baseline" "$paced_pid" "$work/baseline-paced.log"

# --- the measurements ------------------------------------------------------------------------------------------------
export BENCH_LOAD_DIR="$load" BENCH_PERSONS_FILE="$persons_file" BENCH_HOSPITAL_KEY="$hospital_key"
result_of() { grep '^RESULT ' "$1" | sed 's/^RESULT //'; }
# non_2xx: every status outside 2xx and every socket error, for the results' keys and the error check.
with_non_2xx() { jq '. + {non_2xx: (([.statuses | to_entries[] | select((.key | test("^2[0-9][0-9]$")) | not) | .value] | add // 0) + (.socket_errors | add))}'; }
# CPU accounting of each measured run, from /proc: the service (or the baseline), every process of the cluster
# (exited backends through the postmaster's children times), the load generator (this shell's children times),
# and what the rest of the machine used meanwhile ("others": other people's builds and tests on a shared machine).
hz=$(getconf CLK_TCK)
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local pm t=0 p; pm=$(head -n 1 "$pg_data/postmaster.pid")
  for p in $pm $(pgrep -P "$pm"); do t=$((t + $(ticks_of "$p"))); done
  echo $((t + $(awk '{print $16 + $17}' "/proc/$pm/stat")))
}
# `times` must run in this shell, not in a $(…) subshell, whose children times start at zero.
child_ticks() { # variable
  times >"$work/times.txt"
  printf -v "$1" '%s' "$(tail -n 1 "$work/times.txt" | awk -v hz="$hz" '{ gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }')"
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
cpu_start() { # app-pid
  c_app=$1; c_app0=$( [ -n "$1" ] && ticks_of "$1" || echo 0); c_pg0=$(pg_ticks); child_ticks c_gen0; c_busy0=$(busy_ticks)
  read -r c_wal0 c_fpi0 < <(wal_stat)
  c_t0=$(date +%s.%N)
}
cpu_stop() { # name requests → $work/name-cpu.json (µs of CPU per request; others' share of the machine, %)
  local app1 pg1 gen1 busy1 t1
  local wal1 fpi1
  app1=$( [ -n "$c_app" ] && ticks_of "$c_app" || echo 0); pg1=$(pg_ticks); child_ticks gen1; busy1=$(busy_ticks); t1=$(date +%s.%N)
  read -r wal1 fpi1 < <(wal_stat)
  awk -v hz="$hz" -v n="$2" -v cores="$(nproc)" -v app=$((app1 - c_app0)) -v pg=$((pg1 - c_pg0)) -v gen=$((gen1 - c_gen0)) \
      -v busy=$((busy1 - c_busy0)) -v secs="$(awk -v a="$c_t0" -v b="$t1" 'BEGIN { print b - a }')" \
      -v wal=$((wal1 - c_wal0)) -v fpi=$((fpi1 - c_fpi0)) 'BEGIN {
    n = (n > 0 ? n : 1); us = 1e6 / hz / n; others = busy - app - pg - gen; if (others < 0) others = 0
    printf "{\"app_us\":%.0f,\"postgres_us\":%.0f,\"load_generator_us\":%.0f,\"others_share_pct\":%.0f,\"wal_bytes_per_request\":%.0f,\"wal_fpi_per_request\":%.2f}\n",
      app * us, pg * us, gen * us, 100 * others / (hz * cores * secs), wal / n, fpi / n }' >"$work/$1-cpu.json"
}

# Before each run: no run pays for the previous one's dead rows or statistics (autovacuum in the middle of a run),
# and each starts right after a checkpoint, so each pays its own full-page images in the WAL (the first change of
# every page after a checkpoint writes the whole page): otherwise the first run pays for the pages the next reuse.
settle_db() { psql_cmd -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; }
wal_stat() { psql_cmd -c "SELECT wal_bytes, wal_fpi FROM pg_stat_wal" | tr '|' ' '; }
wrk_run() { # name url script app-pid [connections threads duration] → $work/name.json (measured), $work/name-warmup.json, $work/name-cpu.json
  local name=$1 url=$2 script=$3 app=$4 c=${5:-$connections} t=${6:-$threads} d=${7:-$duration}
  settle_db
  say "$name: ${warmup}s warm-up, ${d}s measured, $c connections, $t threads"
  wrk -t"$t" -c"$c" -d"${warmup}s" -s "$script" "$url" -- "w$name" >"$work/$name-warmup.txt" 2>&1
  cpu_start "$app"
  wrk -t"$t" -c"$c" -d"${d}s" -s "$script" "$url" -- "m$name" >"$work/$name.txt" 2>&1
  result_of "$work/$name-warmup.txt" >"$work/$name-warmup.json"
  result_of "$work/$name.txt" >"$work/$name.json"
  [ -s "$work/$name.json" ] || { cat "$work/$name.txt"; die "$name: wrk printed no result"; }
  cpu_stop "$name" "$(jq .requests "$work/$name.json")"
  for f in "$name" "$name-warmup"; do with_non_2xx <"$work/$f.json" >"$work/$f.tmp" && mv "$work/$f.tmp" "$work/$f.json"; done
  if grep -q '\.lua:' "$work/$name-warmup.txt" "$work/$name.txt"; then cat "$work/$name.txt"; die "$name: the Lua script failed"; fi
}
ledger_sum() { psql_cmd -c "SELECT COALESCE(SUM(paid_to_date_fen), 0) FROM ledgers"; }
preview_rows() { psql_cmd -c "SELECT COUNT(*) FROM audit_log WHERE kind = 'preview'"; }
# The settlement batches' sizes so far, from the batched instance's /metrics: "sum count" of claims_batch_size.
batch_stat() {
  curl -sf "http://$host:$api_port/metrics" | awk '/^claims_batch_size_(sum|count)\{/ && /queue="settlements"/ {
    if ($1 ~ /_sum\{/) s += $2; else c += $2 } END { printf "%.0f %.0f\n", s, c }'
}
answered_200() { jq '.statuses["200"] // 0' "$work/$1.json"; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

wrk_run baseline "http://$host:$baseline_port" "$load/preview.lua" "$baseline_pid"
wrk_run baseline_paced "http://$host:$paced_port" "$load/preview.lua" "$paced_pid"
previews_before=$(preview_rows)
wrk_run preview "http://$host:$api_port" "$load/preview.lua" "$api_pid"
# At one connection the queue never holds more than one request: batching must not delay it (p50 within 1.1x of off).
# Both instances come to their 1-connection runs having served 32 connections: the batched one has just done so, and its
# pool holds that many connections, which a lone request then takes in turn (Npgsql hands out the connection idle longest);
# PostgreSQL spends more a request on 8 backends in turn than on one (bench/README.md "The 1-connection runs"). So the
# unbatched instance serves the same 32 connections first (a warm-up: its previews are counted, its statuses checked).
settle_db
wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$load/preview.lua" "http://$host:$unbatched_port" -- "wpool" >"$work/pool-warmup.txt" 2>&1
result_of "$work/pool-warmup.txt" | with_non_2xx >"$work/pool-warmup.json"
[ -s "$work/pool-warmup.json" ] || { cat "$work/pool-warmup.txt"; die "pool warm-up: wrk printed no result"; }
wrk_run preview_1conn "http://$host:$api_port" "$load/preview.lua" "$api_pid" 1 1 "$duration_1conn"
wrk_run preview_1conn_unbatched "http://$host:$unbatched_port" "$load/preview.lua" "$unbatched_pid" 1 1 "$duration_1conn"
previews_after=$(preview_rows)
previews_answered=$(answered_200 pool-warmup)
for run in preview preview_1conn preview_1conn_unbatched; do
  previews_answered=$((previews_answered + $(answered_200 "$run") + $(answered_200 "$run-warmup")))
done
# wrk stops with up to one request per connection in flight, warm-ups included: answered or not, its row may exist.
previews_in_flight_max=$((3 * connections + 2 + 2))
previews_written=$((previews_after - previews_before))
ledger_before=$(ledger_sum)
export BENCH_IN_FLIGHT_FILE="$work/in-flight.ndjson"
: >"$BENCH_IN_FLIGHT_FILE"
read -r batch_sum0 batch_count0 < <(batch_stat)
wrk_run settle "http://$host:$api_port" "$load/settle.lua" "$api_pid"
read -r batch_sum1 batch_count1 < <(batch_stat)
batch_mean=$(awk -v s=$((batch_sum1 - batch_sum0)) -v c=$((batch_count1 - batch_count0)) 'BEGIN { printf "%.2f", (c > 0 ? s / c : 0) }')
batch_count=$((batch_count1 - batch_count0))
wrk_run settle_1conn "http://$host:$api_port" "$load/settle.lua" "$api_pid" 1 1 "$duration_1conn"
wrk_run settle_1conn_unbatched "http://$host:$unbatched_port" "$load/settle.lua" "$unbatched_pid" 1 1 "$duration_1conn"
unset BENCH_IN_FLIGHT_FILE
payouts_received=0
for run in settle settle_1conn settle_1conn_unbatched; do
  payouts_received=$((payouts_received + $(jq .payout_fen "$work/$run-warmup.json") + $(jq .payout_fen "$work/$run.json")))
done
# wrk stops with requests in flight: the service may have settled them, but wrk never read the answer. Send each
# again: the same body is an idempotent replay (200, the stored payout) or, if it never arrived, settles now (201).
in_flight=0; in_flight_fen=0
while IFS= read -r body; do
  answer=$(curl -sS -w '\n%{http_code}' -X POST -H "Authorization: ApiKey $hospital_key" -H 'Content-Type: application/json' \
    --data-binary "$body" "http://$host:$api_port/v1/settlements")
  case "$(tail -n 1 <<<"$answer")" in
    200 | 201) in_flight=$((in_flight + 1))
      in_flight_fen=$((in_flight_fen + $(head -n 1 <<<"$answer" | jq '(.payout * 100 | round)'))) ;;
    *) die "replay of an in-flight settlement: $answer" ;;
  esac
done <"$work/in-flight.ndjson"
ledger_after=$(ledger_sum)
ledger_delta=$((ledger_after - ledger_before))

# pgbench on the same cluster, same concurrency: the settlement's SQL one statement per round trip and batched as the
# service batches it (the target's denominator), and the preview's SQL (what bounds a preview, beside the baseline).
pgbench_run() { # name script extra-args... → $work/name.json
  local name=$1 script=$2; shift 2
  settle_db
  say "$name: ${warmup}s warm-up, ${duration}s measured, $connections clients, $threads threads, prepared"
  local args=(-h "$host" -p "$pg_port" -U postgres -n -M prepared -c "$connections" -j "$threads" -f "$script" -D persons="$persons" -D n=0 "$@")
  "$pgbench" "${args[@]}" -D run="${name//[!0-9]/}1" -T "$warmup" claims >"$work/$name-warmup.txt" 2>&1 || { cat "$work/$name-warmup.txt"; die "$name warm-up failed"; }
  cpu_start ""
  (cd "$work" && "$pgbench" "${args[@]}" -D run="${name//[!0-9]/}2" -T "$duration" -l --log-prefix="$name" claims >"$work/$name.txt" 2>&1) \
    || { cat "$work/$name.txt"; die "$name failed"; }
  local tps failed count p50 p99 max
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/$name.txt")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$name.txt")
  read -r count p50 p99 max < <(cat "$work/$name".[0-9]* | awk '{print $3}' | sort -n | awk '
    { v[NR] = $1 } END { i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
      printf "%d %.3f %.3f %.3f\n", NR, v[i50] / 1000, v[i99] / 1000, v[NR] / 1000 }')
  jq -n --argjson tps "$tps" --argjson n "$count" --argjson p50 "$p50" --argjson p99 "$p99" --argjson max "$max" \
    --argjson failed "${failed:-0}" --argjson d "$duration" \
    '{requests: $n, duration_s: $d, rps: $tps, p50_ms: $p50, p99_ms: $p99, max_ms: $max, failed: $failed, non_2xx: $failed}' >"$work/$name.json"
  cpu_stop "$name" "$count"
}
pgbench_run pgbench1 "$load/settle.pgbench.sql" -D pipeline=0
pgbench_run pgbench2 "$load/settle.pgbench.sql" -D pipeline=1
pgbench_run pgbench3 "$load/preview.pgbench.sql"

# --- the report ------------------------------------------------------------------------------------------------------
wrk_runs=(baseline baseline_paced preview preview_1conn preview_1conn_unbatched settle settle_1conn settle_1conn_unbatched)
for run in "${wrk_runs[@]}" pgbench1 pgbench2 pgbench3; do
  jq --slurpfile cpu "$work/$run-cpu.json" '. + {cpu: $cpu[0]}' "$work/$run.json" >"$work/$run.tmp" && mv "$work/$run.tmp" "$work/$run.json"
done
r() { jq -r "$2" "$work/$1.json"; }
ratio() { awk -v a="$(r "$1" "${3:-.rps}")" -v b="$(r "$2" "${3:-.rps}")" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
at_least() { awk -v x="$1" -v t="$2" 'BEGIN { print (x >= t) ? 1 : 0 }'; }
at_most() { awk -v x="$1" -v t="$2" 'BEGIN { print (x <= t) ? 1 : 0 }'; }
settle_ratio=$(ratio settle pgbench2)
settle_plain_ratio=$(ratio settle pgbench1)
preview_ratio=$(ratio preview pgbench3)
preview_baseline_ratio=$(ratio preview baseline)
cpu_preview_ratio=$(ratio preview baseline .cpu.app_us)
cpu_settle_ratio=$(ratio settle baseline .cpu.app_us)
cpu_preview_paced_ratio=$(ratio preview baseline_paced .cpu.app_us)
cpu_settle_paced_ratio=$(ratio settle baseline_paced .cpu.app_us)
p50_preview_1conn_ratio=$(ratio preview_1conn preview_1conn_unbatched .p50_ms)
p50_settle_1conn_ratio=$(ratio settle_1conn settle_1conn_unbatched .p50_ms)
settle_p99=$(r settle .p99_ms)
preview_p99=$(r preview .p99_ms)
errors=$(r pool-warmup .non_2xx)
for run in "${wrk_runs[@]}"; do
  for f in "$run-warmup" "$run"; do errors=$((errors + $(r "$f" .non_2xx))); done
done
pg_failed=0
for run in pgbench1 pgbench2 pgbench3; do pg_failed=$((pg_failed + $(r $run .failed))); done
pass() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
# The targets of issue 12, each one in the exit status.
t_settle=$(at_least "$settle_ratio" 1.5)
t_preview=$(at_least "$preview_ratio" 1.5)
t_cpu_preview=$(at_most "$cpu_preview_ratio" 5)
t_cpu_settle=$(at_most "$cpu_settle_ratio" 6)
t_p99=$(( $(at_most "$settle_p99" 10) * $(at_most "$preview_p99" 10) ))
t_1conn=$(( $(at_most "$p50_preview_1conn_ratio" 1.1) * $(at_most "$p50_settle_1conn_ratio" 1.1) ))
t_errors=$([ "$errors" -eq 0 ] && [ "$pg_failed" -eq 0 ] && echo 1 || echo 0)
t_ledger=$([ "$ledger_delta" -eq $((payouts_received + in_flight_fen)) ] && echo 1 || echo 0)
t_audit=$([ "$previews_written" -ge "$previews_answered" ] && [ "$previews_written" -le $((previews_answered + previews_in_flight_max)) ] && echo 1 || echo 0)
row() { printf '%-34s %9.1f %7.2f %7.2f %8d %6s  %5s %5s %5s  %4s%%  %6s\n' "$1" "$(r "$2" .rps)" "$(r "$2" .p50_ms)" "$(r "$2" .p99_ms)" "$(r "$2" .requests)" "$(r "$2" .non_2xx)" \
  "$(r "$2" .cpu.app_us | sed 's/^0$/-/')" "$(r "$2" .cpu.postgres_us)" "$(r "$2" .cpu.load_generator_us)" "$(r "$2" .cpu.others_share_pct)" \
  "$(r "$2" .cpu.wal_bytes_per_request)"; }
dirty=$(git diff --quiet HEAD -- src bench/load 2>/dev/null || echo '+uncommitted')
# What the machine allows: the CPU of a request (service, PostgreSQL, load generator) on every core at once, and the same
# with the service at its CPU target (N x the baseline's). pgbench runs on the same cores, so a ratio above this is out of reach.
bound() { # run pgbench-run cpu-target → "busy B of N cores; all N busy: <= R/s = X x pgbench; service at its CPU target: <= Y x"
  awk -v rps="$(r "$1" .rps)" -v app="$(r "$1" .cpu.app_us)" -v pg="$(r "$1" .cpu.postgres_us)" -v gen="$(r "$1" .cpu.load_generator_us)" \
    -v base="$(r baseline .cpu.app_us)" -v target="$3" -v den="$(r "$2" .rps)" -v cores="$(nproc)" 'BEGIN {
      all = cores * 1e6 / (app + pg + gen); at = cores * 1e6 / (target * base + pg + gen)
      printf "busy %.2f of %d cores; all busy: <= %.0f/s = %.2f x pgbench; service at its CPU target: <= %.2f x", (app + pg + gen) * rps / 1e6, cores, all, all / den, at / den }'
}

{
  echo
  echo "ClaimsService load benchmark, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$dirty"
  echo "$(nproc) cores, load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg); ${duration} s measured after ${warmup} s warm-up; $connections connections, $threads threads"
  echo
  printf '%-34s %9s %7s %7s %8s %6s  %-17s  %-6s %s\n' "" "" "" "" "" "" "CPU us/request" "others'" "WAL B/"
  printf '%-34s %9s %7s %7s %8s %6s  %5s %5s %5s  %-6s %s\n' run "req/s" "p50 ms" "p99 ms" requests errors app pg gen "share" request
  row "bare baseline (wrk)" baseline
  row "  bare baseline, paced (4 ms timer)" baseline_paced
  row "POST /v1/settlements/preview" preview
  row "  preview, 1 connection" preview_1conn
  row "  preview, 1 connection, unbatched" preview_1conn_unbatched
  row "POST /v1/settlements" settle
  row "  settle, 1 connection" settle_1conn
  row "  settle, 1 connection, unbatched" settle_1conn_unbatched
  row "pgbench settlement SQL, batched" pgbench2
  row "pgbench settlement SQL, 1 stmt/rt" pgbench1
  row "pgbench preview SQL, batched" pgbench3
  echo
  printf '%-48s %-30s %s\n' "settle / pgbench settle (batched) = $settle_ratio" "target >= 1.5" "$(pass "$t_settle")"
  printf '%-48s %-30s %s\n' "preview / pgbench preview     = $preview_ratio" "target >= 1.5" "$(pass "$t_preview")"
  printf '%-48s %-30s %s\n' "CPU/request preview / baseline = $cpu_preview_ratio" "target <= 5" "$(pass "$t_cpu_preview")"
  printf '%-48s %-30s %s\n' "CPU/request settle / baseline  = $cpu_settle_ratio" "target <= 6" "$(pass "$t_cpu_settle")"
  printf '%-48s %-30s %s\n' "p99 settle $settle_p99 ms, preview $preview_p99 ms" "target <= 10 ms both" "$(pass "$t_p99")"
  printf '%-48s %-30s %s\n' "1 conn p50 batched/off: preview $p50_preview_1conn_ratio, settle $p50_settle_1conn_ratio" "target <= 1.1 both" "$(pass "$t_1conn")"
  printf '%-48s %-30s %s\n' "error responses             = $errors" "none, warm-ups included" "$(pass "$t_errors")"
  printf '%-48s %-30s %s\n' "ledger SUM(paid_to_date_fen) moved by" "$ledger_delta fen" ""
  printf '%-48s %-30s %s\n' "payouts received (201 answers)" "$payouts_received fen" ""
  printf '%-48s %-30s %s\n' "+ $in_flight in flight at wrk's stop, replayed" "$in_flight_fen fen" "$(pass "$t_ledger")"
  printf '%-48s %-30s %s\n' "preview audit rows written = $previews_written" "answered $previews_answered (+ <= $previews_in_flight_max in flight)" "$(pass "$t_audit")"
  printf '%-48s %s\n' "settle / pgbench 1 stmt/rt    = $settle_plain_ratio" "(for information)"
  printf '%-48s %s\n' "preview / baseline            = $preview_baseline_ratio" "(for information)"
  printf '%-48s %s\n' "CPU/request over the paced baseline's: preview $cpu_preview_paced_ratio, settle $cpu_settle_paced_ratio" "(for information)"
  printf '%-48s %s\n' "settlement batches (32 conn)  = $batch_count, mean size $batch_mean" "(for information)"
  echo "machine bound, preview: $(bound preview pgbench3 5)"
  echo "machine bound, settle:  $(bound settle pgbench2 6)"
  echo "statuses: baseline $(jq -c .statuses "$work/baseline.json"), preview $(jq -c .statuses "$work/preview.json"), settle $(jq -c .statuses "$work/settle.json")"
} | tee "$work/report.txt"

mkdir -p "$results_dir"
out="$results_dir/load-$(date -u +%Y%m%dT%H%M%SZ).json"
runs=()
for run in "${wrk_runs[@]}" settle-warmup pgbench1 pgbench2 pgbench3; do runs+=(--slurpfile "${run//-/_}" "$work/$run.json"); done
jq -n \
  --arg at "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse HEAD)$dirty" --arg load "$load_start" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson cores "$(nproc)" \
  --argjson duration "$duration" --argjson duration1 "$duration_1conn" --argjson warmup "$warmup" --argjson connections "$connections" --argjson threads "$threads" \
  --argjson persons "$persons" --argjson registry "$registry_entries" --argjson answer "$answer_bytes" \
  --arg pg "$(tr -s ' ' <<<"$pg_settings")" --arg cs "$cs" --argjson batching "$batching" --arg writers "${writers:-default}" "${runs[@]}" \
  --argjson sr "$settle_ratio" --argjson spr "$settle_plain_ratio" --argjson pr "$preview_ratio" --argjson pbr "$preview_baseline_ratio" \
  --argjson cpr "$cpu_preview_ratio" --argjson csr "$cpu_settle_ratio" --argjson cppr "$cpu_preview_paced_ratio" --argjson cspr "$cpu_settle_paced_ratio" --argjson p1 "$p50_preview_1conn_ratio" --argjson s1 "$p50_settle_1conn_ratio" \
  --argjson bmean "$batch_mean" --argjson bcount "$batch_count" \
  --argjson errors "$errors" --argjson pgfailed "$pg_failed" --argjson ledger "$ledger_delta" --argjson payouts "$payouts_received" --argjson inflight "$in_flight" --argjson inflightfen "$in_flight_fen" \
  --argjson pwritten "$previews_written" --argjson panswered "$previews_answered" --argjson pinflight "$previews_in_flight_max" \
  --argjson t1 "$t_settle" --argjson t2 "$t_preview" --argjson t3 "$t_cpu_preview" --argjson t4 "$t_cpu_settle" --argjson t5 "$t_p99" --argjson t6 "$t_1conn" \
  --argjson t7 "$t_errors" --argjson t8 "$t_ledger" --argjson t9 "$t_audit" \
  --rawfile report "$work/report.txt" \
  '{at: $at, commit: $commit, machine: {cores: $cores, load_average_at_start: $load, load_average_at_end: $load_end},
    setup: {duration_s: $duration, duration_1conn_s: $duration1, warmup_s: $warmup, connections: $connections, threads: $threads, persons: $persons,
      registry_entries: $registry, answer_bytes: $answer, postgres: $pg, service_connection_string: $cs,
      batching: {enabled: $batching, writers: $writers}},
    runs: {baseline: $baseline[0], baseline_paced: $baseline_paced[0], preview: $preview[0], settle: $settle[0], settle_warmup: $settle_warmup[0],
      preview_1conn: $preview_1conn[0], preview_1conn_unbatched: $preview_1conn_unbatched[0],
      settle_1conn: $settle_1conn[0], settle_1conn_unbatched: $settle_1conn_unbatched[0],
      pgbench_settle_one_statement_per_round_trip: $pgbench1[0], pgbench_settle_batched: $pgbench2[0], pgbench_preview_batched: $pgbench3[0]},
    batch: {mean_size: $bmean, batches: $bcount},
    ratios: {settle_over_pgbench_batched: $sr, settle_over_pgbench_one_statement_per_round_trip: $spr, preview_over_pgbench_preview: $pr,
      preview_over_baseline: $pbr, cpu_preview_over_baseline: $cpr, cpu_settle_over_baseline: $csr,
      cpu_preview_over_baseline_paced: $cppr, cpu_settle_over_baseline_paced: $cspr,
      p50_1conn_preview_batched_over_unbatched: $p1, p50_1conn_settle_batched_over_unbatched: $s1},
    checks: {error_responses: $errors, pgbench_failed_transactions: $pgfailed, ledger_paid_delta_fen: $ledger, payouts_received_fen: $payouts,
      in_flight_replayed: $inflight, in_flight_replayed_payouts_fen: $inflightfen,
      preview_audit_rows_written: $pwritten, previews_answered: $panswered, previews_in_flight_at_most: $pinflight},
    targets: {settle_ratio: ($t1 == 1), preview_ratio: ($t2 == 1), cpu_preview: ($t3 == 1), cpu_settle: ($t4 == 1), p99_under_10ms: ($t5 == 1),
      p50_1conn: ($t6 == 1), no_errors: ($t7 == 1), ledger_equals_payouts: ($t8 == 1), preview_audit_rows: ($t9 == 1)},
    report: ($report | split("\n"))}' >"$out"
say "wrote ${out#"$root"/}"
# Every target the report shows decides the exit status: all nine.
targets="$t_settle$t_preview$t_cpu_preview$t_cpu_settle$t_p99$t_1conn$t_errors$t_ledger$t_audit"
[ "${#targets}" -eq 9 ] || die "expected nine target results, got '$targets'"
if [ "$targets" != 111111111 ]; then
  say "a target does not hold (settle, preview, cpu preview, cpu settle, p99, 1 conn, errors, ledger, audit: $targets)"
  exit 1
fi
