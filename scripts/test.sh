#!/usr/bin/env bash
# Runs every test suite: installs what the tests need (PostgreSQL server binaries, Chromium), starts a
# throwaway PostgreSQL cluster, runs `dotnet test` on the solution and prints `N passed, N failed[, N skipped]`.
# Exit status: 0 when every test passed; non-zero on any failure, a failed build included (then nothing runs, and the
# last line is `0 passed, 1 failed`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d /tmp/claims-test-XXXXXX)
chmod 755 "$work"
pg_data="$work/pg"
pg_bin=""
cleanup() {
  if [ -n "$pg_bin" ] && [ -f "$pg_data/postmaster.pid" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The build first, and its failure is the run's: `dotnet test --no-build` after a failed build would run stale binaries.
echo "Building ClaimsService.sln (Release)…"
build_status=0
dotnet build ClaimsService.sln -c Release -nologo -v q >"$work/build.log" 2>&1 || build_status=$?
# Show the errors and warnings (grep finding none is not a failure; grep failing otherwise is).
grep -E ': (error|warning) ' "$work/build.log" | sort -u || [ "$?" -eq 1 ]
if [ "$build_status" -ne 0 ]; then
  grep -qE ': error ' "$work/build.log" || cat "$work/build.log"
  echo "build failed: dotnet build exited with $build_status; no test ran"
  echo "0 passed, 1 failed"
  exit 1
fi

apt_install() {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; fi
}

# PostgreSQL server binaries: in the image under /usr/lib/postgresql/15/bin, else from Debian.
pg_found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_found" ] || [ ! -x "$pg_found/initdb" ]; then
  echo "Installing PostgreSQL from Debian…"; apt_install postgresql
  pg_found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
# Chromium for the browser suite.
if [ -f tests/ClaimsService.Browser.Tests/ClaimsService.Browser.Tests.csproj ] && ! command -v chromium >/dev/null; then
  echo "Installing Chromium from Debian…"; apt_install chromium
fi
# A CJK font, so the dashboard's screenshot shows policy document numbers (桂医保发〔2020〕46号) rather than boxes.
if [ -f tests/ClaimsService.Browser.Tests/ClaimsService.Browser.Tests.csproj ] && [ ! -d /usr/share/fonts/truetype/wqy ]; then
  apt_install fonts-wqy-microhei || echo "fonts-wqy-microhei not installed: Chinese text renders as boxes in screenshots"
fi

# The OpenAPI linters (OpenApiLintTests): pinned in tools/openapi-lint/package-lock.json, installed into its node_modules/.
if ! command -v npm >/dev/null; then echo "Installing Node.js from Debian…"; apt_install nodejs npm; fi
lint_tools=tools/openapi-lint
if [ ! -x "$lint_tools/node_modules/.bin/redocly" ] || [ ! -x "$lint_tools/node_modules/.bin/spectral" ] \
  || [ "$lint_tools/package-lock.json" -nt "$lint_tools/node_modules/.package-lock.json" ]; then
  echo "Installing the OpenAPI linters (npm ci)…"
  npm ci --prefix "$lint_tools" --no-audit --no-fund --loglevel=error >/dev/null
fi

# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

pg_port=${CLAIMS_TEST_PG_PORT:-55432}
mkdir -p "$pg_data" && [ "$(id -u)" = 0 ] && chown postgres "$pg_data" "$work"
pg_bin=$pg_found

as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
if ! as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
  echo "PostgreSQL did not start on port $pg_port (CLAIMS_TEST_PG_PORT moves it); its log:"
  cat "$work/pg.log" || true
  echo "0 passed, 1 failed"
  exit 1
fi
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

export CLAIMS_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export CLAIMS_TEST_PG_BIN="$pg_bin"

log="$work/test.log"
set +e
dotnet test ClaimsService.sln -c Release --no-build -nologo --results-directory "$work/trx" --logger "trx;LogFilePrefix=claims" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Say why each skipped test was skipped (the console logger names them, not the reason).
for trx in "$work"/trx/*.trx; do
  [ -f "$trx" ] || continue
  tr -d '\n' < "$trx" | grep -o 'testName="[^"]*"[^>]*outcome="NotExecuted"[^>]*>[[:space:]]*<Output>[[:space:]]*<ErrorInfo>[[:space:]]*<Message>[^<]*' \
    | sed -E 's/testName="([^"]*)".*<Message>(.*)/skipped: \1 — \2/'  || true
done

# One line for CI: the sums of every assembly's "Failed: N, Passed: N, Skipped: N".
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE '^(Passed|Failed)!' "$log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $status"; fi
if [ "$assemblies" -eq 0 ]; then failed=$((failed + 1)); echo "no test assembly ran"; fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
