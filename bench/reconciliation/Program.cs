using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Bench.Reconciliation;
using Npgsql;

// Reconciliation benchmark: statement downloads and detail checks against a service on PostgreSQL, with the
// service's resident memory sampled every 100 ms, at two sizes to show memory does not grow with the row count.
// Usage: run.sh [--rows N] [--small N]   (or dotnet run -c Release -- --pg CONN --service DLL --results DIR ...)
var options = Options.Parse(args);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
// The machine may be shared: the load average says how much else ran, so figures from busy runs can be told apart.
static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
var loadAtStart = LoadAverage();
Console.WriteLine($"Reconciliation benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, sizes {string.Join(", ", options.Sizes)}, load average {loadAtStart}");

var connection = new NpgsqlConnectionStringBuilder(options.Pg) { Database = "claims_bench" }.ConnectionString;
await using (var admin = new NpgsqlConnection(options.Pg))
{
    await admin.OpenAsync();
    await using var drop = new NpgsqlCommand("DROP DATABASE IF EXISTS claims_bench", admin);
    await drop.ExecuteNonQueryAsync();
    await using var create = new NpgsqlCommand("CREATE DATABASE claims_bench", admin);
    await create.ExecuteNonQueryAsync();
}
await ServiceProcess.VerbAsync(options.Service, connection, "migrate");

var loads = new List<LoadedRegion>();
var results = new JsonArray();
foreach (var (size, index) in options.Sizes.Select((s, i) => (s, i)))
{
    var region = $"4501{index:00}";
    var (loaded, took) = await DataLoader.LoadAsync(connection, region, size);
    loads.Add(loaded);
    Console.WriteLine($"loaded {size:N0} adjudications of {region} by binary COPY in {took.TotalSeconds:0.0} s ({size / took.TotalSeconds:N0} rows/s)");
}
var keyOutput = await ServiceProcess.VerbAsync(options.Service, connection,
    ["keys", "create", "--role", "insurer", "--name", "bench-insurer", .. loads.SelectMany(l => new[] { "--region", l.RegionCode })]);
var key = keyOutput.TrimEnd().Split('\n')[^1].Trim();
// The load leaves a gigabyte of dirty pages (table, indexes, WAL): write them out now, not during the first phase.
using (var sync = Process.Start("sync")) await sync!.WaitForExitAsync();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { Timeout = Timeout.InfiniteTimeSpan };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
var allPassed = true;
foreach (var loaded in loads)
{
    var rows = loaded.Ids.Length;
    Console.WriteLine();
    Console.WriteLine($"== {rows:N0} rows (region {loaded.RegionCode}, {DataLoader.From:yyyy-MM-dd}..{DataLoader.To:yyyy-MM-dd}) ==");
    await DataLoader.BaselineAsync(connection, loaded.RegionCode); // once to warm the database's cache, then timed
    var (baselineRows, baselineTook) = await DataLoader.BaselineAsync(connection, loaded.RegionCode);
    var baseline = baselineRows / baselineTook.TotalSeconds;
    Console.WriteLine($"baseline  COPY (SELECT … ORDER BY …) TO STDOUT via Npgsql: {baselineRows:N0} rows in {baselineTook.TotalSeconds:0.00} s = {baseline:N0} rows/s");
    if (baselineRows != rows) throw new InvalidOperationException($"Baseline read {baselineRows} rows, expected {rows}.");

    var files = InsurerFiles.Write(loaded, Path.Combine(options.Work, $"insurer-{loaded.RegionCode}"));
    // A fresh service per size: its memory figures are this size's alone.
    await using var service = await ServiceProcess.StartAsync(options.Service, connection, options.Port);
    await Phases.WarmUpAsync(http, service.Url, loaded.RegionCode);
    var idle = service.RssMiB();
    Console.WriteLine($"service pid {service.Pid}, VmRSS after start and warm-up {idle:0} MiB");

    var phases = new JsonObject();
    foreach (var format in new[] { "ndjson", "csv" })
    {
        var (r, peak, start, cpu) = await service.SampleAsync(() => Phases.StatementAsync(http, service.Url, loaded.RegionCode, format, rows));
        allPassed &= Report(phases, $"statement_{format}", r, peak, start, cpu, baseline, targetRowsPerSecond: 200_000);
    }
    foreach (var (format, path) in new[] { ("csv", files.Csv), ("ndjson", files.Ndjson) })
    {
        var (r, peak, start, cpu) = await service.SampleAsync(() => Phases.DetailCheckAsync(http, service.Url, loaded.RegionCode, format, path, files.Rows, files.Planted));
        allPassed &= Report(phases, $"detail_check_{format}", r, peak, start, cpu, baseline, targetRowsPerSecond: 100_000);
    }
    var hwm = service.RssMiB("VmHWM");
    Console.WriteLine($"service VmHWM (whole run of this size) {hwm:0} MiB");
    allPassed &= hwm < options.MemoryTargetMiB;
    results.Add(new JsonObject
    {
        ["rows"] = rows, ["region"] = loaded.RegionCode,
        ["baseline"] = new JsonObject { ["rows"] = baselineRows, ["seconds"] = Math.Round(baselineTook.TotalSeconds, 3), ["rowsPerSecond"] = Math.Round(baseline) },
        ["serviceIdleMiB"] = Math.Round(idle, 1), ["serviceVmHwmMiB"] = Math.Round(hwm, 1), ["phases"] = phases,
    });
    File.Delete(files.Csv);
    File.Delete(files.Ndjson);
}

Console.WriteLine();
Console.WriteLine("== memory against row count (peak VmRSS, MiB) ==");
foreach (var phase in new[] { "statement_ndjson", "statement_csv", "detail_check_csv", "detail_check_ndjson" })
    Console.WriteLine($"{phase,-20} " + string.Join("   ", results.Select(r =>
        $"{r!["rows"]!.GetValue<int>(),9:N0} rows: {r["phases"]![phase]!["peakRssMiB"]!.GetValue<double>(),5:0}")));
Console.WriteLine($"load average at the end {LoadAverage()}");
Console.WriteLine($"targets: statement >= 200,000 rows/s, detail check >= 100,000 rows/s, peak working set < {options.MemoryTargetMiB} MiB: {(allPassed ? "all met" : "NOT all met")}");

Directory.CreateDirectory(options.Results);
var file = Path.Combine(options.Results, $"reconciliation-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, new JsonObject
{
    ["benchmark"] = "reconciliation", ["recordedAt"] = DateTime.UtcNow.ToString("O"),
    ["machine"] = new JsonObject { ["loadAverageAtStart"] = loadAtStart, ["loadAverageAtEnd"] = LoadAverage(), ["cores"] = Environment.ProcessorCount, ["dotnet"] = Environment.Version.ToString(), ["database"] = "PostgreSQL 15 (throwaway cluster, fsync off)" },
    ["targets"] = new JsonObject { ["statementRowsPerSecond"] = 200_000, ["detailCheckRowsPerSecond"] = 100_000, ["peakWorkingSetMiB"] = options.MemoryTargetMiB },
    ["allTargetsMet"] = allPassed,
    ["sizes"] = results,
}.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"results: {file}");
return allPassed ? 0 : 1;

bool Report(JsonObject phases, string name, PhaseResult r, double peak, double start, (double User, double System) cpuSplit, double baseline, double targetRowsPerSecond)
{
    var cpu = cpuSplit.User + cpuSplit.System;
    var perSecond = r.Rows / r.Seconds;
    var perCpuSecond = cpu > 0 ? r.Rows / cpu : double.NaN;
    var met = perSecond >= targetRowsPerSecond && peak < options.MemoryTargetMiB;
    Console.WriteLine($"{name,-20} {r.Rows,9:N0} rows in {r.Seconds,6:0.00} s = {perSecond,9:N0} rows/s  ({perSecond / baseline:0.00}× baseline)  "
        + $"service CPU {cpu,5:0.00} s ({cpuSplit.User:0.00} user) = {perCpuSecond,9:N0} rows/CPU-s  {r.Bytes / 1048576.0,6:0.0} MiB  peak VmRSS {peak,4:0} MiB (from {start:0})  "
        + $"{(met ? "ok" : "MISSED")}{(r.Note is null ? "" : "  " + r.Note)}");
    phases[name] = new JsonObject
    {
        ["rows"] = r.Rows, ["seconds"] = Math.Round(r.Seconds, 3), ["rowsPerSecond"] = Math.Round(perSecond), ["ratioToBaseline"] = Math.Round(perSecond / baseline, 3),
        ["serviceCpuSeconds"] = Math.Round(cpu, 2), ["serviceUserCpuSeconds"] = Math.Round(cpuSplit.User, 2), ["rowsPerServiceCpuSecond"] = double.IsNaN(perCpuSecond) ? null : Math.Round(perCpuSecond),
        ["bytes"] = r.Bytes, ["peakRssMiB"] = Math.Round(peak, 1), ["startRssMiB"] = Math.Round(start, 1), ["targetRowsPerSecond"] = targetRowsPerSecond,
        ["met"] = met, ["note"] = r.Note,
    };
    return met;
}

public sealed record PhaseResult(long Rows, double Seconds, long Bytes, string? Note = null);

public sealed record Options(string Pg, string Service, string Results, string Work, int Port, int[] Sizes, double MemoryTargetMiB)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => Array.LastIndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var rows = int.Parse(Get("--rows") ?? "1000000", CultureInfo.InvariantCulture);
        var small = int.Parse(Get("--small") ?? "250000", CultureInfo.InvariantCulture);
        return new Options(
            Get("--pg") ?? throw new ArgumentException("--pg CONNECTION (a PostgreSQL server; the benchmark creates database claims_bench)"),
            Get("--service") ?? throw new ArgumentException("--service PATH to the Release build of ClaimsService.Api.dll"),
            Get("--results") ?? "bench/results", Get("--work") ?? Path.GetTempPath(), int.Parse(Get("--port") ?? "55611", CultureInfo.InvariantCulture),
            small > 0 && small < rows ? [small, rows] : [rows], 300);
    }
}

/// <summary>The insurer's files for a detail check: every loaded row, shuffled, with 1 000 planted differences.</summary>
public sealed record InsurerFiles(string Csv, string Ndjson, long Rows, Planted Planted)
{
    public static InsurerFiles Write(LoadedRegion region, string basePath)
    {
        var random = new Random(42);
        var n = region.Ids.Length;
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order); // insurers' files come in their own order
        // 400 payouts off by 0.01, 300 rows dropped, 300 ids the service never made: 1 000 differences, same row count.
        var changed = order.Take(400).ToHashSet();
        var dropped = order.Skip(400).Take(300).ToHashSet();
        var fakes = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).ToList();
        var csvPath = basePath + ".csv";
        var ndjsonPath = basePath + ".ndjson";
        using (var csv = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 20))
        using (var ndjson = new StreamWriter(ndjsonPath, false, new UTF8Encoding(false), 1 << 20))
        {
            csv.Write("adjudicationId,payout\n");
            var fake = 0;
            foreach (var i in order)
            {
                Guid id;
                long fen;
                if (dropped.Contains(i)) (id, fen) = (fakes[fake++], 12_345);
                else (id, fen) = (region.Ids[i], region.PayoutFen[i] + (changed.Contains(i) ? 1 : 0));
                var payout = (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
                csv.Write($"{id},{payout}\n");
                ndjson.Write($"{{\"adjudicationId\":\"{id}\",\"payout\":{payout}}}\n");
            }
        }
        return new InsurerFiles(csvPath, ndjsonPath, n, new Planted(changed.Count, dropped.Count, fakes.Count));
    }
}

public sealed record Planted(int AmountMismatch, int MissingInInsurer, int MissingInService);

public static class Phases
{
    private static string Query(string region) => $"regionCode={region}&from={DataLoader.From:yyyy-MM-dd}&to={DataLoader.To:yyyy-MM-dd}";

    /// <summary>
    /// A running service is warm: JIT (tiered compilation promotes hot loops after a few thousand calls) and the
    /// connection pool warmed before anything is timed, with statements and detail checks of the first days, twice.
    /// </summary>
    public static async Task WarmUpAsync(HttpClient http, string url, string region)
    {
        var days = $"regionCode={region}&from={DataLoader.From:yyyy-MM-dd}&to={DataLoader.From.AddDays(2):yyyy-MM-dd}";
        for (var round = 0; round < 2; round++)
            foreach (var format in new[] { "csv", "ndjson" })
            {
                var statement = await http.GetByteArrayAsync($"{url}/v1/reconciliation/statement?{days}&format={format}");
                using var check = await http.PostAsync($"{url}/v1/reconciliation/detail-checks?{days}",
                    new ByteArrayContent(statement) { Headers = { ContentType = new MediaTypeHeaderValue(format == "csv" ? "text/csv" : "application/x-ndjson") } });
                check.EnsureSuccessStatusCode();
                await check.Content.ReadAsByteArrayAsync();
            }
        await Task.Delay(500); // let the background JIT finish its queue
    }

    public static async Task<PhaseResult> StatementAsync(HttpClient http, string url, string region, string format, long expectedRows)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync($"{url}/v1/reconciliation/statement?{Query(region)}&format={format}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var (lines, bytes, last) = await CountLinesAsync(await response.Content.ReadAsStreamAsync());
        watch.Stop();
        var rows = lines - (format == "csv" ? 2 : 1); // header (CSV) and trailer
        var trailerRows = format == "csv" ? $"#trailer,rows={rows}," : $"{{\"trailer\":{{\"rows\":{rows},";
        if (rows != expectedRows || !last.StartsWith(trailerRows, StringComparison.Ordinal))
            throw new InvalidOperationException($"Statement {format}: {rows} rows, last line '{last}'.");
        return new PhaseResult(rows, watch.Elapsed.TotalSeconds, bytes);
    }

    public static async Task<PhaseResult> DetailCheckAsync(HttpClient http, string url, string region, string format, string path, long rows, Planted planted)
    {
        var watch = Stopwatch.StartNew();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue(format == "csv" ? "text/csv" : "application/x-ndjson");
        using var response = await http.PostAsync($"{url}/v1/reconciliation/detail-checks?{Query(region)}", content);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Detail check {format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var (lines, bytes, last) = await CountLinesAsync(await response.Content.ReadAsStreamAsync());
        watch.Stop();
        var summary = JsonDocument.Parse(last).RootElement.GetProperty("summary");
        long Get(string name) => summary.GetProperty(name).GetInt64();
        var expected = (planted.MissingInService, planted.MissingInInsurer, planted.AmountMismatch, 0L, rows - planted.AmountMismatch - planted.MissingInInsurer);
        var found = (Get("missingInService"), Get("missingInInsurer"), Get("amountMismatch"), Get("malformed"), Get("matched"));
        if (found != expected || lines != planted.AmountMismatch + planted.MissingInInsurer + planted.MissingInService + 1)
            throw new InvalidOperationException($"Detail check {format} found {found}, expected {expected}: {last}");
        return new PhaseResult(rows, watch.Elapsed.TotalSeconds, new FileInfo(path).Length,
            $"upload {format}, {lines - 1} differences found as planted");
    }

    private static async Task<(long Lines, long Bytes, string Last)> CountLinesAsync(Stream stream)
    {
        var buffer = new byte[256 * 1024];
        var tail = new List<byte>();
        long lines = 0, bytes = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, n);
            lines += span.Count((byte)'\n');
            bytes += n;
            var lastBreak = span[..^1].LastIndexOf((byte)'\n');
            if (lastBreak >= 0) tail.Clear();
            tail.AddRange(span[(lastBreak + 1)..].ToArray());
        }
        return (lines, bytes, Encoding.UTF8.GetString(tail.ToArray()).TrimEnd('\n'));
    }
}
