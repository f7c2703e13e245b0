#!/usr/bin/env bash
# Reconciliation benchmark (bench/reconciliation): starts a throwaway PostgreSQL 15 cluster on port 55601, builds
# the service in Release, and runs the benchmark console app, which migrates through the service's `migrate` verb,
# bulk-loads adjudications by binary COPY (250 000 and 1 000 000 rows by default), creates an insurer key with
# `keys create`, starts the service per size and times statement downloads and detail checks while sampling the
# service's VmRSS every 100 ms. Prints figures and ratios against a raw COPY baseline; writes
# bench/results/reconciliation-<timestamp>.json. Extra arguments go to the app (e.g. --rows 200000 --small 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

. bench/lib/postgres.sh
start_postgres recon "${BENCH_PG_PORT:-55601}"

build_or_stop src/ClaimsService.Api "the service"
dotnet run --project bench/reconciliation -c Release -- \
  --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  --service "$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll" \
  --results "$root/bench/results" --work "$work" "$@"
