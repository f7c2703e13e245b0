# syntax=docker/dockerfile:1
# ClaimsService: build with the .NET SDK, run on the chiseled ASP.NET runtime (no shell, no package manager, non-root).
#   docker build -t claims-service .
#   docker run -p 8080:8080 claims-service                       # embedded SQLite in /data
#   docker compose -f deploy/compose/compose.yml up              # with SQL Server, OTel collector, Prometheus, Grafana

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
# Restore first, from the project files alone, so source edits do not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ClaimsService.Domain/ClaimsService.Domain.csproj src/ClaimsService.Domain/
COPY src/ClaimsService.Data/ClaimsService.Data.csproj src/ClaimsService.Data/
COPY src/ClaimsService.Api/ClaimsService.Api.csproj src/ClaimsService.Api/
RUN dotnet restore src/ClaimsService.Api/ClaimsService.Api.csproj
COPY src/ src/
RUN dotnet publish src/ClaimsService.Api/ClaimsService.Api.csproj -c Release --no-restore -o /app /p:UseAppHost=false \
 && mkdir -p /data

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY deploy/reference-data/ ./deploy/reference-data/
# The SQLite default writes here; the app user (UID 1654 = $APP_UID of the .NET images) owns it.
COPY --from=build --chown=1654:1654 /data /data
VOLUME ["/data"]
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ConnectionStrings__Claims="Data Source=/data/claims.db" \
    Database__ReferenceDataPath=/app/deploy/reference-data
USER 1654
EXPOSE 8080
# No curl in a chiseled image: the app's own `healthcheck` verb asks /health/live on loopback and starts no host.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["dotnet", "/app/ClaimsService.Api.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "/app/ClaimsService.Api.dll"]
