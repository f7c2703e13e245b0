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

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "Installing PostgreSQL from Debian…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

port=${BENCH_PG_PORT:-55601}
work=$(mktemp -d /tmp/claims-bench-XXXXXX)
chmod 755 "$work"
pg_data="$work/pg"
mkdir -p "$pg_data" && [ "$(id -u)" = 0 ] && chown postgres "$pg_data" "$work"
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c max_wal_size=4GB" start >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

# A failed build stops the run: the benchmark would otherwise time whatever stale service binaries are there.
dotnet build src/ClaimsService.Api -c Release -nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "error: the service did not build; nothing measured" >&2; exit 1; }
dotnet run --project bench/reconciliation -c Release -- \
  --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  --service "$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll" \
  --results "$root/bench/results" --work "$work" "$@"
