using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Bench.Reconciliation;
using ClaimsService.Domain;
using Npgsql;

// Re-adjudication benchmark: a committed run over PERSONS person-years (3 stays each) of one county after a backdated rate
// raise (50 % → 60 % from 2020-01-01), on PostgreSQL, against a plain streamed read of the same adjudication rows measured in
// the same run (the I/O floor), while a bounded load loop settles stays of another county and its latencies are kept.
// Usage: run.sh [--persons N] [--load-workers N] [--load-pause-ms N] [--chunk-size N] [--chunks-in-flight N]   (or dotnet run -c Release -- --pg CONN --service DLL ...)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string Get(string name, string fallback) => Array.LastIndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
var pg = Get("--pg", "");
var serviceDll = Get("--service", "");
if (pg.Length == 0 || serviceDll.Length == 0) throw new ArgumentException("--pg CONNECTION and --service PATH/ClaimsService.Api.dll are required");
var resultsDir = Get("--results", "bench/results");
var persons = int.Parse(Get("--persons", "100000"), CultureInfo.InvariantCulture);
var port = int.Parse(Get("--port", "55621"), CultureInfo.InvariantCulture);
var loadWorkers = int.Parse(Get("--load-workers", "2"), CultureInfo.InvariantCulture);
var loadPauseMs = int.Parse(Get("--load-pause-ms", "10"), CultureInfo.InvariantCulture);
// The service's Readjudication:ChunkSize (person-years a transaction); 0 leaves the service's default.
var chunkSize = int.Parse(Get("--chunk-size", "0"), CultureInfo.InvariantCulture);
// The service's Readjudication:ChunksInFlight; 0 leaves the service's default.
var chunksInFlight = int.Parse(Get("--chunks-in-flight", "0"), CultureInfo.InvariantCulture);
const double RatioTarget = 0.3, P99TargetMs = 50;
const string RunRegion = "450330", LoadRegion = "450331", Hospital = "H4503000001";

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
var loadAtStart = LoadAverage();
Console.WriteLine($"Re-adjudication benchmark: {persons:N0} person-years × 3 stays, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {loadAtStart}");

var database = new NpgsqlConnectionStringBuilder(pg) { Database = "claims_readj_bench" }.ConnectionString;
await ExecAsync(pg, "DROP DATABASE IF EXISTS claims_readj_bench");
await ExecAsync(pg, "CREATE DATABASE claims_readj_bench");
await ExecAsync(database, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
// The service's pool as bench/load tuned it for 2 cores.
var serviceConnection = database + ";Maximum Pool Size=8;Max Auto Prepare=32;No Reset On Close=true";
await ServiceProcess.VerbAsync(serviceDll, database, "migrate");
var adminKey = (await ServiceProcess.VerbAsync(serviceDll, database, "keys", "create", "--role", "admin", "--name", "bench-admin")).TrimEnd().Split('\n')[^1].Trim();
var hospitalKey = (await ServiceProcess.VerbAsync(serviceDll, database, "keys", "create", "--role", "hospital", "--hospital", Hospital, "--name", "bench-hospital"))
    .TrimEnd().Split('\n')[^1].Trim();

// The service process inherits the environment: Readjudication__ChunkSize reaches its configuration.
if (chunkSize > 0) Environment.SetEnvironmentVariable("Readjudication__ChunkSize", chunkSize.ToString(CultureInfo.InvariantCulture));
if (chunksInFlight > 0) Environment.SetEnvironmentVariable("Readjudication__ChunksInFlight", chunksInFlight.ToString(CultureInfo.InvariantCulture));
await using var service = await ServiceProcess.StartAsync(serviceDll, serviceConnection, port);
using var admin = Client(adminKey);
using var hospital = Client(hospitalKey);
await PostAsync(admin, "/v1/parameter-sets", ParameterSet(RunRegion, 0.5m, "50 %"), 201);
await PostAsync(admin, "/v1/parameter-sets", ParameterSet(LoadRegion, 0.5m, "50 %"), 201);

// Data: one person's three stays settled through the service (20 000, 30 000, 10 000 eligible: 5 000, 15 000 and 5 000 at
// 50 % above 10 000), then cloned by SQL for the other PERSONS − 1 people (valid resident IDs computed in SQL), ledgers too.
var template = ResidentId.WithCheckDigit($"{RunRegion}19400101001");
foreach (var eligible in new[] { 20_000m, 30_000m, 10_000m })
    await PostAsync(hospital, "/v1/settlements", Settlement(template, eligible, RunRegion), 201);
var loadWatch = Stopwatch.StartNew();
await CloneAsync(database, template, persons - 1);
var loadSeconds = loadWatch.Elapsed.TotalSeconds;
var stays = await ScalarAsync(database, $"SELECT COUNT(*) FROM adjudications WHERE region_code = '{RunRegion}' AND kind = 'settlement'");
var ledgers = await ScalarAsync(database, $"SELECT COUNT(*) FROM ledgers WHERE region_code = '{RunRegion}' AND policy_year = 2020");
Console.WriteLine($"loaded {ledgers:N0} person-years, {stays:N0} stays by INSERT … SELECT in {loadSeconds:0.0} s");
if (ledgers != persons || stays != 3L * persons) throw new InvalidOperationException("The load did not make the expected rows.");
await ExecAsync(database, "VACUUM (ANALYZE)");
await ExecAsync(database, "CHECKPOINT");

// The backdated raise.
await PostAsync(admin, "/v1/parameter-sets", ParameterSet(RunRegion, 0.6m, "60 % from 2020-01-01 (backdated)"), 201);

// The I/O floor: every adjudication row of the region-year, all the columns a run reads, in person-year order, streamed
// through one NpgsqlDataReader with each value read. Once to warm the cache, then timed.
await FloorAsync(database);
var (floorRows, floorPersonYears, floorSeconds) = await FloorAsync(database);
var floor = floorPersonYears / floorSeconds;
Console.WriteLine($"floor     streamed read: {floorRows:N0} rows, {floorPersonYears:N0} person-years in {floorSeconds:0.00} s = {floor:N0} person-years/s");

// The load loop alone first (a reference for its latencies, and the statements one settlement takes).
await ExecAsync(database, "SELECT pg_stat_statements_reset()");
var alone = await LoadLoopAsync(hospital, TimeSpan.FromSeconds(10), CancellationToken.None);
var statementsPerSettlement = await StatementCallsAsync(database) / (double)Math.Max(1, alone.Count);
Console.WriteLine($"load loop alone: {alone.Count:N0} settlements in {alone.Seconds:0.0} s, p50 {alone.P50:0.0} ms, p99 {alone.P99:0.0} ms, max {alone.Max:0.0} ms; {statementsPerSettlement:0.0} statements each");

// The committed run, with the load loop going on meanwhile (bounded: it stops when the run answers, or after an hour).
await ExecAsync(database, "SELECT pg_stat_statements_reset()");
var commitsBefore = await ScalarAsync(database, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
using var stopLoad = new CancellationTokenSource(TimeSpan.FromHours(1));
var during = LoadLoopAsync(hospital, TimeSpan.FromHours(1), stopLoad.Token);
var clusterCpu = await ClusterCpuAsync(database);
var cpuBefore = service.CpuSplit();
var clusterCpuBefore = clusterCpu();
var runWatch = Stopwatch.StartNew();
var run = await PostAsync(admin, "/v1/readjudications", new JsonObject
{
    ["runId"] = "R-bench-450330-2020", ["regionCode"] = RunRegion, ["policyYear"] = 2020, ["reason"] = "backdated raise 50 % → 60 % (benchmark)", ["dryRun"] = false,
}, 201);
var runSeconds = runWatch.Elapsed.TotalSeconds;
var cpuAfter = service.CpuSplit();
var clusterCpuSeconds = clusterCpu() - clusterCpuBefore;
await stopLoad.CancelAsync();
var meanwhile = await during;
var commits = await ScalarAsync(database, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()") - commitsBefore;
var calls = await StatementCallsAsync(database);
var topStatements = await TopStatementsAsync(database, "calls");
var topStatementsByTime = await TopStatementsAsync(database, "total_exec_time");
var examined = run.GetProperty("personYears").GetProperty("examined").GetInt64();
var changed = run.GetProperty("personYears").GetProperty("changed").GetInt64();
var rate = examined / runSeconds;
var ratio = rate / floor;
var runStatementsPerPersonYear = (calls - statementsPerSettlement * meanwhile.Count) / examined;
Console.WriteLine($"run       {examined:N0} person-years ({changed:N0} changed) in {runSeconds:0.0} s = {rate:N0} person-years/s = {ratio:0.000}× floor (target ≥ {RatioTarget})");
var serviceCpuSeconds = cpuAfter.User - cpuBefore.User + cpuAfter.System - cpuBefore.System;
Console.WriteLine($"          CPU per person-year: service {1000 * serviceCpuSeconds / examined:0.000} ms, PostgreSQL cluster {1000 * clusterCpuSeconds / examined:0.000} ms (both include the load loop's settlements)");
Console.WriteLine($"          service CPU {cpuAfter.User - cpuBefore.User + cpuAfter.System - cpuBefore.System:0.0} s; ≈ {runStatementsPerPersonYear:0.0} statements per person-year ({calls:N0} in all, {commits:N0} commits in the database)");
Console.WriteLine($"load loop during the run: {meanwhile.Count:N0} settlements of {LoadRegion}, p50 {meanwhile.P50:0.0} ms, p99 {meanwhile.P99:0.0} ms, max {meanwhile.Max:0.0} ms, {meanwhile.Errors} errors (target p99 < {P99TargetMs} ms)");

// Exactness: every ledger of the region-year is a fresh settlement of its three stays at 60 %: 0.6 × (60 000 − 10 000) = 30 000.
var wrong = await ScalarAsync(database,
    $"SELECT COUNT(*) FROM ledgers WHERE region_code = '{RunRegion}' AND policy_year = 2020 AND (eligible_to_date_fen <> 6000000 OR paid_to_date_fen <> 3000000)");
var topUps = run.GetProperty("topUps");
Console.WriteLine($"check     ledgers not equal to a fresh settlement: {wrong}; top-ups {topUps.GetProperty("count").GetInt64():N0} = {topUps.GetProperty("payout")}");
var exact = wrong == 0 && examined == persons && changed == persons && run.GetProperty("status").GetString() == "completed";

// The write floor: PostgreSQL's own binary COPY of exactly the rows the run appended (exported from the tables, with their
// keys changed in place so that they are new: same tables, same indexes, same row count and widths), into those tables in one
// transaction that is then rolled back. The ledger and repriced UPDATEs are not in it: it is the appends alone.
var writeFloor = await WriteFloorAsync(database, "R-bench-450330-2020");
var writeRate = examined / (floorSeconds + writeFloor.Seconds);
var ratioToBoth = rate / writeRate;
Console.WriteLine($"floor     write: binary COPY of the run's {writeFloor.Rows:N0} appended rows ({string.Join(", ", writeFloor.Tables.Select(t => $"{t.Table} {t.Rows:N0} in {t.Seconds:0.00} s"))}) in {writeFloor.Seconds:0.00} s");
Console.WriteLine($"          read + write floors: {writeRate:N0} person-years/s; run / (read + write floor) = {ratioToBoth:0.000}; the write floor alone allows at most {examined / writeFloor.Seconds / floor:0.000}× the read floor");

var ratioMet = ratio >= RatioTarget;
var p99Met = meanwhile.P99 < P99TargetMs && meanwhile.Errors == 0 && meanwhile.Count > 0;
var loadAtEnd = LoadAverage();
Console.WriteLine($"load average at the end {loadAtEnd}");
Console.WriteLine($"targets: ratio ≥ {RatioTarget}: {(ratioMet ? "met" : "MISSED")}; p99 < {P99TargetMs} ms: {(p99Met ? "met" : "MISSED")}; ledgers exact: {(exact ? "yes" : "NO")}");

Directory.CreateDirectory(resultsDir);
var file = Path.Combine(resultsDir, $"readjudication-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
await File.WriteAllTextAsync(file, new JsonObject
{
    ["benchmark"] = "readjudication", ["recordedAt"] = DateTime.UtcNow.ToString("O"),
    ["machine"] = new JsonObject
    {
        ["loadAverageAtStart"] = loadAtStart, ["loadAverageAtEnd"] = loadAtEnd, ["cores"] = Environment.ProcessorCount, ["dotnet"] = Environment.Version.ToString(),
        ["database"] = "PostgreSQL (throwaway cluster, fsync off)", ["servicePool"] = "Maximum Pool Size=8;Max Auto Prepare=32;No Reset On Close=true",
    },
    ["data"] = new JsonObject { ["personYears"] = ledgers, ["stays"] = stays, ["loadSeconds"] = Math.Round(loadSeconds, 1), ["how"] = "3 stays settled through the service, cloned by INSERT … SELECT" },
    ["floor"] = new JsonObject { ["rows"] = floorRows, ["personYears"] = floorPersonYears, ["seconds"] = Math.Round(floorSeconds, 3), ["personYearsPerSecond"] = Math.Round(floor) },
    ["writeFloor"] = new JsonObject
    {
        ["how"] = "binary COPY of the rows the run appended (keys changed), into the same tables in one transaction, rolled back; UPDATEs not included",
        ["rows"] = writeFloor.Rows, ["seconds"] = Math.Round(writeFloor.Seconds, 3),
        ["tables"] = new JsonArray(writeFloor.Tables.Select(t => (JsonNode)new JsonObject { ["table"] = t.Table, ["rows"] = t.Rows, ["bytes"] = t.Bytes, ["seconds"] = Math.Round(t.Seconds, 3) }).ToArray()),
        ["readPlusWritePersonYearsPerSecond"] = Math.Round(writeRate), ["maxRatioToReadFloorAllowedByWrites"] = Math.Round(examined / writeFloor.Seconds / floor, 4),
    },
    ["run"] = new JsonObject
    {
        ["examined"] = examined, ["changed"] = changed, ["seconds"] = Math.Round(runSeconds, 2), ["personYearsPerSecond"] = Math.Round(rate, 1),
        ["ratioToFloor"] = Math.Round(ratio, 4), ["target"] = RatioTarget, ["met"] = ratioMet, ["ratioToReadPlusWriteFloor"] = Math.Round(ratioToBoth, 4),
        ["serviceCpuSeconds"] = Math.Round(serviceCpuSeconds, 1),
        ["serviceCpuMsPerPersonYear"] = Math.Round(1000 * serviceCpuSeconds / examined, 3),
        ["clusterCpuSeconds"] = Math.Round(clusterCpuSeconds, 1), ["clusterCpuMsPerPersonYear"] = Math.Round(1000 * clusterCpuSeconds / examined, 3),
        ["cpuNote"] = "from /proc: the service process, and the PostgreSQL postmaster with its children (live, and reaped); both include the load loop",
        ["chunkSize"] = chunkSize > 0 ? (JsonNode)chunkSize : "service default (200)", ["chunksInFlight"] = chunksInFlight > 0 ? (JsonNode)chunksInFlight : "service default (1)",
        ["statementsPerPersonYear"] = Math.Round(runStatementsPerPersonYear, 1), ["statementCalls"] = calls, ["databaseCommits"] = commits,
        ["topStatements"] = topStatements, ["topStatementsByExecTime"] = topStatementsByTime, ["answer"] = JsonNode.Parse(run.GetRawText()),
    },
    ["settlementsAlone"] = alone.ToJson(), ["settlementsDuringRun"] = meanwhile.ToJson(P99TargetMs, p99Met),
    ["statementsPerSettlement"] = Math.Round(statementsPerSettlement, 1),
    ["ledgersExact"] = exact, ["ledgersNotFresh"] = wrong,
    ["allTargetsMet"] = ratioMet && p99Met && exact,
}.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
Console.WriteLine($"results: {file}");
// Every target's failure reaches the exit status; a ledger that is not exact is worse than slow.
return !exact ? 2 : ratioMet && p99Met ? 0 : 1;

HttpClient Client(string key)
{
    var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = new Uri(service.Url), Timeout = Timeout.InfiniteTimeSpan };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
    return client;
}

static async Task<JsonElement> PostAsync(HttpClient client, string url, JsonNode body, int status)
{
    using var response = await client.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    var text = await response.Content.ReadAsStringAsync();
    if ((int)response.StatusCode != status) throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}

static JsonObject ParameterSet(string region, decimal rate, string name) => new()
{
    ["regionCode"] = region, ["name"] = name, ["policyDocument"] = "benchmark", ["effectiveFrom"] = "2020-01-01",
    ["perCapitaIncome"] = 20_000m, ["incomeYear"] = 2019, ["deductibleRatio"] = 0.5m, ["deductible"] = 10_000m,
    ["bandBasis"] = "cumulative", ["bands"] = new JsonArray(new JsonObject { ["from"] = 0, ["rate"] = rate }), ["annualCap"] = null,
    ["categories"] = new JsonObject(),
};

static JsonObject Settlement(string insured, decimal eligible, string region) => new()
{
    ["settlementId"] = $"B-{Guid.NewGuid():N}", ["insuredId"] = insured, ["regionCode"] = region, ["admissionDate"] = "2020-10-01",
    ["dischargeDate"] = "2020-10-12", ["inPolicyCost"] = eligible + 30_000m, ["basicInsurancePaid"] = 30_000m, ["referredOutOfRegion"] = false,
};

static async Task ExecAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await command.ExecuteNonQueryAsync();
}

static async Task<long> ScalarAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

// Clones the template person's adjudications and ledger for N people: new ids, settlement ids and idempotency keys.
static async Task CloneAsync(string connectionString, string template, int count)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    async Task<string[]> ColumnsOf(string table)
    {
        await using var command = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_name = @t ORDER BY ordinal_position", connection);
        command.Parameters.AddWithValue("t", table);
        var list = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return [.. list];
    }
    var overrides = new Dictionary<string, string>
    {
        ["id"] = "gen_random_uuid()::text",
        ["idempotency_key"] = "replace(t.idempotency_key, t.settlement_id, t.settlement_id || '-' || p.n)",
        ["settlement_id"] = "t.settlement_id || '-' || p.n",
        ["insured_id"] = "p.insured_id",
    };
    string Select(string[] columns) => string.Join(", ", columns.Select(c => overrides.TryGetValue(c, out var e) ? e : "t." + c));
    var adjudications = await ColumnsOf("adjudications");
    var ledgerColumns = await ColumnsOf("ledgers");
    var sql = $"""
        CREATE TEMP TABLE people AS
        SELECT n, id17 || substr('10X98765432', (SELECT SUM(substr(id17, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) FROM generate_series(1, 17) i)::int % 11 + 1, 1) AS insured_id
        FROM (SELECT g AS n, '{RunRegion}' || to_char(DATE '1950-01-01' + g / 1000, 'YYYYMMDD') || lpad((g % 1000)::text, 3, '0') AS id17
              FROM generate_series(1, {count}) g) s;
        INSERT INTO adjudications ({string.Join(", ", adjudications)})
        SELECT {Select(adjudications)} FROM people p CROSS JOIN adjudications t WHERE t.region_code = '{RunRegion}' AND t.insured_id = '{template}'
        ORDER BY p.n, t.sequence;
        INSERT INTO ledgers ({string.Join(", ", ledgerColumns)})
        SELECT {Select(ledgerColumns)} FROM people p CROSS JOIN ledgers t WHERE t.region_code = '{RunRegion}' AND t.insured_id = '{template}' ORDER BY p.n;
        """;
    await using var clone = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
    await clone.ExecuteNonQueryAsync();
}

static async Task<(long Rows, long PersonYears, double Seconds)> FloorAsync(string connectionString)
{
    var watch = Stopwatch.StartNew();
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand($"""
        SELECT id, idempotency_key, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, sequence,
               admission_date, discharge_date, referred_out_of_region, category, parameter_set_id, parameter_set_version,
               parameter_set_region, eligible_amount_fen, deductible_fen, eligible_before_fen, eligible_after_fen,
               paid_before_fen, paid_after_fen, payout_fen, cap_applied, related_id, reversed_by_id, request_hash, trace,
               adjudicated_at, business_date, candidate_categories, in_policy_cost_fen, basic_insurance_paid_fen,
               run_id, repriced_parameter_set_id, repriced_candidates
        FROM adjudications WHERE region_code = '{RunRegion}' AND policy_year = 2020 ORDER BY insured_id, sequence
        """, connection) { CommandTimeout = 0 };
    await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
    long rows = 0, personYears = 0;
    string last = "";
    var values = new object[reader.FieldCount];
    while (await reader.ReadAsync())
    {
        reader.GetValues(values);
        rows++;
        var insured = (string)values[6];
        if (insured != last) (personYears, last) = (personYears + 1, insured);
    }
    return (rows, personYears, watch.Elapsed.TotalSeconds);
}

// Exports each appended table's rows of the run (binary, keys changed so they are new rows of the same widths) to a file,
// then times their binary COPY back into the same tables in one transaction, rolled back at the end.
static async Task<WriteFloor> WriteFloorAsync(string connectionString, string runId)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var run = runId.Replace("'", "''", StringComparison.Ordinal);
    // 'x' is no hexadecimal digit and 'F' starts no run id here: the changed keys are new, and as wide as before.
    var tables = new (string Table, Dictionary<string, string> Changed, string Where)[]
    {
        ("adjudications", new() { ["id"] = "'x' || substr(id, 2)", ["idempotency_key"] = "'X' || substr(idempotency_key, 2)" }, $"run_id = '{run}'"),
        ("audit_log", new() { ["adjudication_id"] = "'x' || substr(adjudication_id, 2)" },
            $"adjudication_id IN (SELECT id FROM adjudications WHERE run_id = '{run}')"),
        ("readjudication_adjustments", new() { ["adjudication_id"] = "'x' || substr(adjudication_id, 2)" }, $"run_id = '{run}'"),
        ("readjudication_person_years", new() { ["run_id"] = "'F' || substr(run_id, 2)" }, $"run_id = '{run}'"),
    };
    var files = new List<(string Table, string Columns, string File, long Rows)>();
    foreach (var (table, changed, where) in tables)
    {
        var columns = new List<string>();
        await using (var command = new NpgsqlCommand("""
            SELECT column_name FROM information_schema.columns WHERE table_name = @t AND is_identity = 'NO' ORDER BY ordinal_position
            """, connection))
        {
            command.Parameters.AddWithValue("t", table);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        }
        var select = string.Join(", ", columns.Select(c => changed.TryGetValue(c, out var e) ? e : c));
        var file = Path.Combine(Path.GetTempPath(), $"readj-write-floor-{table}-{Environment.ProcessId}.bin");
        await using (var output = File.Create(file))
        await using (var export = await connection.BeginRawBinaryCopyAsync($"COPY (SELECT {select} FROM {table} WHERE {where}) TO STDOUT (FORMAT BINARY)"))
            await export.CopyToAsync(output);
        var rows = await ScalarAsync(connectionString, $"SELECT COUNT(*) FROM {table} WHERE {where}");
        files.Add((table, string.Join(", ", columns), file, rows));
    }
    var timed = new List<(string Table, long Rows, long Bytes, double Seconds)>();
    var total = Stopwatch.StartNew();
    await using (var transaction = await connection.BeginTransactionAsync())
    {
        foreach (var (table, columns, file, rows) in files)
        {
            var watch = Stopwatch.StartNew();
            await using (var input = File.OpenRead(file))
            await using (var import = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"))
                await input.CopyToAsync(import);
            timed.Add((table, rows, new FileInfo(file).Length, watch.Elapsed.TotalSeconds));
        }
        total.Stop();
        await transaction.RollbackAsync();
    }
    foreach (var f in files) File.Delete(f.File);
    return new WriteFloor(timed.Sum(t => t.Rows), total.Elapsed.TotalSeconds, timed);
}

// CPU seconds of the cluster so far: the postmaster, the children it reaped (cutime, cstime) and those alive.
static async Task<Func<double>> ClusterCpuAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("SHOW data_directory", connection);
    var dataDirectory = (string)(await command.ExecuteScalarAsync())!;
    var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
    static string[]? Stat(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // from the 3rd field (state) on
        }
        catch (IOException) { return null; }
    }
    static long Field(string[] f, int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
    return () =>
    {
        var own = Stat(postmaster.ToString(CultureInfo.InvariantCulture)) ?? throw new InvalidOperationException("The cluster's postmaster is gone.");
        var ticks = Field(own, 11) + Field(own, 12) + Field(own, 13) + Field(own, 14);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!char.IsDigit(pid[0]) || Stat(pid) is not { } child || Field(child, 1) != postmaster) continue;
            ticks += Field(child, 11) + Field(child, 12);
        }
        return ticks / 100.0;
    };
}

static async Task<long> StatementCallsAsync(string connectionString) =>
    await ScalarAsync(connectionString, "SELECT COALESCE(SUM(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())");

static async Task<JsonArray> TopStatementsAsync(string connectionString, string order)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand($"""
        SELECT calls, round(total_exec_time::numeric, 1), left(regexp_replace(query, '\s+', ' ', 'g'), 140) FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY {order} DESC LIMIT 15
        """, connection);
    var top = new JsonArray();
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
        top.Add(new JsonObject { ["calls"] = reader.GetInt64(0), ["execMs"] = reader.GetDecimal(1), ["query"] = reader.GetString(2) });
    return top;
}

async Task<LoadResult> LoadLoopAsync(HttpClient client, TimeSpan duration, CancellationToken stop)
{
    var latencies = new List<double>();
    var errors = 0;
    var watch = Stopwatch.StartNew();
    var counter = 0;
    await Task.WhenAll(Enumerable.Range(0, loadWorkers).Select(async _ =>
    {
        while (!stop.IsCancellationRequested && watch.Elapsed < duration)
        {
            var n = Interlocked.Increment(ref counter);
            var insured = ResidentId.WithCheckDigit($"{LoadRegion}{new DateOnly(1960, 1, 1).AddDays(n / 1000):yyyyMMdd}{n % 1000:000}");
            var body = Settlement(insured, 20_000m + n % 50 * 1_000m, LoadRegion);
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.PostAsync("/v1/settlements", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                lock (latencies) latencies.Add(ms);
                if ((int)response.StatusCode != 201 && (int)response.StatusCode != 200) Interlocked.Increment(ref errors);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
            try { await Task.Delay(loadPauseMs, stop); } catch (OperationCanceledException) { }
        }
    }));
    latencies.Sort();
    double At(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
    return new LoadResult(latencies.Count, watch.Elapsed.TotalSeconds, At(0.5), At(0.99), latencies.Count == 0 ? double.NaN : latencies[^1], errors, loadWorkers, loadPauseMs);
}

internal sealed record WriteFloor(long Rows, double Seconds, IReadOnlyList<(string Table, long Rows, long Bytes, double Seconds)> Tables);

internal sealed record LoadResult(int Count, double Seconds, double P50, double P99, double Max, int Errors, int Workers, int PauseMs)
{
    public JsonObject ToJson(double? target = null, bool? met = null) => new()
    {
        ["settlements"] = Count, ["seconds"] = Math.Round(Seconds, 1), ["perSecond"] = Math.Round(Count / Seconds, 1), ["p50Ms"] = Math.Round(P50, 2),
        ["p99Ms"] = Math.Round(P99, 2), ["maxMs"] = Math.Round(Max, 2), ["errors"] = Errors, ["workers"] = Workers, ["pauseMs"] = PauseMs,
        ["p99TargetMs"] = target, ["met"] = met,
    };
}
