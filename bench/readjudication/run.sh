#!/usr/bin/env bash
# Re-adjudication benchmark (bench/readjudication): starts a throwaway PostgreSQL 15 cluster on port 55603 (pg_stat_statements
# loaded, to count the statements a person-year takes), builds the service in Release, and runs the benchmark console app:
# it migrates through the service's `migrate` verb, creates keys with `keys create`, starts the service, settles one person's
# three stays through it and clones them by SQL to 100 000 person-years (300 000 stays), publishes a backdated raise
# (50 % → 60 % from 2020-01-01), times a plain streamed read of the same adjudication rows (the I/O floor), then a committed
# run of the region-year while a bounded load loop settles stays of another county, and checks every ledger afterwards.
# Prints figures and ratios; writes bench/results/readjudication-<timestamp>.json. Exit status: 0 when every target holds,
# 1 when one does not, 2 when a ledger is not exact, and non-zero on any failure before (a failed build included).
# Extra arguments go to the app (e.g. --persons 20000 --load-workers 2 --load-pause-ms 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

. bench/lib/postgres.sh
start_postgres readj "${BENCH_PG_PORT:-55603}" shared_preload_libraries=pg_stat_statements pg_stat_statements.max=1000

build_or_stop src/ClaimsService.Api "the service"
build_or_stop bench/readjudication "the benchmark"
dotnet run --no-build --project bench/readjudication -c Release -- \
  --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  --service "$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll" \
  --results "$root/bench/results" "$@"
