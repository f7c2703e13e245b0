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

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "Installing PostgreSQL from Debian…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

port=${BENCH_PG_PORT:-55603}
work=$(mktemp -d /tmp/claims-bench-readj-XXXXXX)
chmod 755 "$work"
pg_data="$work/pg"
mkdir -p "$pg_data" && [ "$(id -u)" = 0 ] && chown postgres "$pg_data" "$work"
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c max_wal_size=4GB -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=1000" start >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

# A failed build stops the run: the benchmark would otherwise time whatever stale service binaries are there.
dotnet build src/ClaimsService.Api -c Release -nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "error: the service did not build; nothing measured" >&2; exit 1; }
dotnet build bench/readjudication -c Release -nologo -v q >"$work/bench-build.log" 2>&1 \
  || { cat "$work/bench-build.log" >&2; echo "error: the benchmark did not build; nothing measured" >&2; exit 1; }
dotnet run --no-build --project bench/readjudication -c Release -- \
  --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres" \
  --service "$root/src/ClaimsService.Api/bin/Release/net10.0/ClaimsService.Api.dll" \
  --results "$root/bench/results" "$@"
