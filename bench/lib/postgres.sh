# Sourced by the benchmarks' run.sh (after `set -euo pipefail` and `cd` to the repository root): a throwaway
# PostgreSQL cluster and a Release build of the service, both failing loudly.
#   start_postgres NAME PORT [SERVER OPTION …]   sets pg_bin, port, work (a temporary folder, removed on exit), as_pg
#   build_or_stop PROJECT WHAT                   builds PROJECT in Release; a failed build prints its log and stops the run

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "Installing PostgreSQL from Debian…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

start_postgres() {
  local name=$1
  port=$2
  shift 2
  work=$(mktemp -d "/tmp/claims-bench-$name-XXXXXX")
  chmod 755 "$work"
  pg_data="$work/pg"
  mkdir -p "$pg_data"
  if [ "$(id -u)" = 0 ]; then chown postgres "$pg_data" "$work"; fi
  trap 'as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  local options="-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  options="$options -c shared_buffers=512MB -c max_wal_size=4GB"
  local o
  for o in "$@"; do options="$options -c $o"; done
  if ! as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w -o "$options" start >/dev/null; then
    cat "$work/pg.log" >&2
    echo "error: PostgreSQL did not start on port $port; nothing measured" >&2
    exit 1
  fi
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

# A failed build stops the run: the benchmark would otherwise time whatever stale binaries are there.
build_or_stop() {
  local project=$1 what=$2 log
  log="$work/build-$(basename "$project").log"
  dotnet build "$project" -c Release -nologo -v q >"$log" 2>&1 \
    || { cat "$log" >&2; echo "error: $what did not build; nothing measured" >&2; exit 1; }
}
