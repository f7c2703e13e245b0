#!/usr/bin/env bash
# What can be checked of deploy/ and the Dockerfile on a machine without a Docker engine or a cluster:
#  1. every YAML file parses (PyYAML) and the Grafana dashboard is valid JSON;
#  2. the compose file passes `docker compose config` (or Debian's docker-compose v1) when a client is installed;
#  3. the Dockerfile's build stage, replayed without Docker: the same COPY set into an empty folder, the same
#     restore and publish commands, then the runtime stage's layout and ENV, the app started from it, and the
#     HEALTHCHECK command run against it.
# The DeployFilesTests in tests/ClaimsService.Browser.Tests check that the pieces agree with each other.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/claims-deploy-XXXXXX)
app_pid=""
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# Each check's failure stops the script with its exit status: "All deploy checks passed" is printed only when all did.
check() { # description command...
  local what=$1 status=0; shift
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then echo "  FAIL: $what (exit $status)"; exit 1; fi
  echo "  ok  $what"
}

echo "== 1. YAML and JSON"
python3 - <<'PY'
import glob, json, yaml
for f in sorted(glob.glob("deploy/**/*.y*ml", recursive=True)):
    docs = [d for d in yaml.safe_load_all(open(f)) if d is not None]
    print(f"  ok  {f} ({', '.join(d.get('kind', 'config') for d in docs)})")
json.load(open("deploy/grafana/dashboards/claims-service.json"))
print("  ok  deploy/grafana/dashboards/claims-service.json")
PY

echo "== 2. compose"
export MSSQL_SA_PASSWORD='Verify-0nly!'
if docker compose version >/dev/null 2>&1; then check "docker compose config" docker compose -f deploy/compose/compose.yml config -q
elif command -v docker-compose >/dev/null; then check "docker-compose $(docker-compose version --short) config" docker-compose -f deploy/compose/compose.yml config -q
else echo "  skipped: no compose client (apt-get install docker-compose)"; fi

echo "== 3. Dockerfile build stage, replayed"
ctx="$work/src"; mkdir -p "$ctx"
# The Dockerfile's COPY lines, in order (the .dockerignore'd bin/ and obj/ left out).
cp Directory.Build.props Directory.Packages.props .editorconfig "$ctx/"
for p in Domain Data Api; do mkdir -p "$ctx/src/ClaimsService.$p"; cp "src/ClaimsService.$p/ClaimsService.$p.csproj" "$ctx/src/ClaimsService.$p/"; done
(cd "$ctx" && dotnet restore src/ClaimsService.Api/ClaimsService.Api.csproj -nologo -v q)
tar -C src --exclude=bin --exclude=obj -cf - . | tar -C "$ctx/src" -xf -
(cd "$ctx" && dotnet publish src/ClaimsService.Api/ClaimsService.Api.csproj -c Release --no-restore -o "$work/app" /p:UseAppHost=false -nologo -v q)
cp -r deploy/reference-data "$work/app/deploy-reference-data"
mkdir -p "$work/app/deploy" "$work/data" && mv "$work/app/deploy-reference-data" "$work/app/deploy/reference-data"
echo "  ok  published: $(du -sh "$work/app" | cut -f1) in $(find "$work/app" -type f | wc -l) files"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The runtime stage's ENV, with /data and /app under the temporary folder; started from an unrelated working directory.
(cd / && ASPNETCORE_HTTP_PORTS=$port ConnectionStrings__Claims="Data Source=$work/data/claims.db" \
  Database__ReferenceDataPath="$work/app/deploy/reference-data" exec dotnet "$work/app/ClaimsService.Api.dll" >"$work/app.log" 2>&1) &
app_pid=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/app.log"; echo "  FAIL: not ready"; exit 1; }
echo "  ok  /health/ready from the published app"
healthcheck() { ASPNETCORE_HTTP_PORTS=$port dotnet "$work/app/ClaimsService.Api.dll" healthcheck "$@" >/dev/null; }
served() { curl -fs "http://127.0.0.1:$port$1" -o "$work/served.txt" && grep -q "$2" "$work/served.txt"; }
check "HEALTHCHECK command (healthcheck verb) exits 0" healthcheck
check "healthcheck ready exits 0" healthcheck ready
check "/dashboard served from the embedded assets" served /dashboard 'ClaimsService · Operations'
check "/metrics" served /metrics '^claims_database_circuit_state'
check "reference data seeded from /app/deploy/reference-data" grep -q "parameter sets published" "$work/app.log"
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
if ASPNETCORE_HTTP_PORTS=$port dotnet "$work/app/ClaimsService.Api.dll" healthcheck >/dev/null 2>&1; then echo "  FAIL: healthcheck passed with the app stopped"; exit 1; fi
echo "  ok  healthcheck exits non-zero once the app is gone"
echo "All deploy checks passed (not checked here: base images, USER/VOLUME semantics, a real docker build, a cluster)."
