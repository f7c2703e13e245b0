#!/usr/bin/env bash
# Registry import benchmark (bench/registry-import): `registry import FILE --skip-invalid` of generated files (valid
# resident IDs, 5 % invalid lines) on PostgreSQL and SQLite, at 100 000 and 1 000 000 lines (BENCH_SIZES), against
# PostgreSQL's own COPY of the same valid rows into the same table (person_categories, freshly migrated, its indexes on)
# measured in the same run. Each import is a fresh process under /usr/bin/time: wall time and peak RSS (max resident
# set size). Prints the figures and ratios; writes bench/results/registry-import-<timestamp>.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
sizes=${BENCH_SIZES:-100000 1000000}

. bench/lib/postgres.sh
[ -x /usr/bin/time ] || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
start_postgres registry "${BENCH_PG_PORT:-55602}"

build_or_stop src/ClaimsService.Api "the service"
service="$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll"
pg="Host=127.0.0.1;Port=$port;Username=postgres"

now() { date +%s.%N; }
# run_service PROVIDER CONNECTION ARGS…: the service's CLI, logging at Warning; fails the benchmark when it fails.
run_service() {
  local provider=$1 connection=$2; shift 2
  Database__Provider=$provider ConnectionStrings__Claims=$connection Logging__LogLevel__Default=Warning \
    DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production dotnet "$service" "$@"
}
new_pg_database() {
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE $1" >/dev/null
  run_service PostgreSql "$pg;Database=$1" migrate >/dev/null
}

results="[]"
for lines in $sizes; do
  echo "== $lines lines"
  python3 bench/registry-import/generate.py "$lines" "$work/import-$lines.csv" "$work/copy-$lines.csv"
  valid=$(wc -l < "$work/copy-$lines.csv")

  # Baseline: PostgreSQL's COPY of the same valid rows into the same (migrated, indexed) table, from the client side.
  new_pg_database "copy_$lines"
  t0=$(now)
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d "copy_$lines" -v ON_ERROR_STOP=1 -q -c \
    "\\copy person_categories (insured_id, region_code, category, valid_from, valid_to, source, recorded_at, recorded_by) FROM '$work/copy-$lines.csv' WITH (FORMAT csv)" >/dev/null
  copy_s=$(echo "$(now) - $t0" | bc -l)
  copied=$(as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d "copy_$lines" -tAc "SELECT COUNT(*) FROM person_categories")
  [ "$copied" -eq "$valid" ] || { echo "error: COPY loaded $copied rows, expected $valid" >&2; exit 1; }

  for provider in PostgreSql Sqlite; do
    if [ "$provider" = PostgreSql ]; then
      new_pg_database "import_$lines"; connection="$pg;Database=import_$lines"
    else
      connection="Data Source=$work/import-$lines.db"; run_service Sqlite "$connection" migrate >/dev/null
    fi
    t0=$(now)
    /usr/bin/time -v -o "$work/time-$provider-$lines.txt" \
      env Database__Provider=$provider ConnectionStrings__Claims="$connection" Logging__LogLevel__Default=Warning \
        DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
        dotnet "$service" registry import "$work/import-$lines.csv" --skip-invalid >"$work/out-$provider-$lines.txt" 2>"$work/err-$provider-$lines.txt" \
      || { tail -n 5 "$work/err-$provider-$lines.txt" >&2; echo "error: the $provider import of $lines lines failed" >&2; exit 1; }
    import_s=$(echo "$(now) - $t0" | bc -l)
    summary=$(tail -n 1 "$work/out-$provider-$lines.txt")
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$provider-$lines.txt")
    recorded=$(echo "$summary" | awk '{print $1}')
    [ "$recorded" -eq "$valid" ] || { echo "error: $provider recorded $recorded of $valid valid lines ($summary)" >&2; exit 1; }
    reported=$(grep -c '^line ' "$work/err-$provider-$lines.txt" || true)
    [ "$reported" -eq $((lines - valid)) ] || { echo "error: $provider reported $reported invalid lines, expected $((lines - valid))" >&2; exit 1; }
    row=$(python3 - "$provider" "$lines" "$valid" "$import_s" "$copy_s" "$rss_kb" "$summary" <<'PY'
import json, sys
provider, lines, valid, import_s, copy_s, rss_kb, summary = sys.argv[1:]
lines, valid, import_s, copy_s, rss_mb = int(lines), int(valid), float(import_s), float(copy_s), int(rss_kb) / 1024
print(json.dumps({
    "provider": provider, "lines": lines, "validLines": valid, "importSeconds": round(import_s, 2),
    "linesPerSecond": round(lines / import_s), "copySeconds": round(copy_s, 2), "copyRowsPerSecond": round(valid / copy_s),
    # The same valid rows into the same table: how the import's time compares with COPY's (1.0 = as fast as COPY).
    "ratioToCopy": round(copy_s / import_s, 3), "peakRssMb": round(rss_mb, 1), "summary": summary,
}))
PY
)
    echo "$row"
    results=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r.append(json.loads(sys.argv[2])); print(json.dumps(r))' "$results" "$row")
  done
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
python3 - "$results" "bench/results/registry-import-$stamp.json" <<'PY'
import json, sys
runs = json.loads(sys.argv[1])
targets = {"ratioToCopyAtLeast": 0.25, "peakRssMbBelow": 300}
verdicts = []
for provider in sorted({r["provider"] for r in runs}):
    mine = sorted((r for r in runs if r["provider"] == provider), key=lambda r: r["lines"])
    largest = mine[-1]
    verdicts.append({"provider": provider, "ratioToCopy": largest["ratioToCopy"] >= targets["ratioToCopyAtLeast"],
                     "peakRss": all(r["peakRssMb"] < targets["peakRssMbBelow"] for r in mine),
                     # Flat: the largest file's peak within 25 % of the smallest's.
                     "rssFlat": largest["peakRssMb"] <= mine[0]["peakRssMb"] * 1.25})
doc = {"benchmark": "registry-import", "targets": targets, "runs": runs, "verdicts": verdicts}
json.dump(doc, open(sys.argv[2], "w"), indent=2, ensure_ascii=False)
print(json.dumps(verdicts, indent=2))
print(f"results: {sys.argv[2]}")
PY
