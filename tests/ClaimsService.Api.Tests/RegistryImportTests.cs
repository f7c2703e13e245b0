using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClaimsService.Api.Tests.Infrastructure;
using MiniExcelLibs;
using static ClaimsService.Api.Tests.Infrastructure.Requests;

namespace ClaimsService.Api.Tests;

/// <summary>
/// <c>registry import FILE …</c> (api.md "Registry"), run as the executable against the suite's database: CSV in UTF-8 and
/// GB18030, .xlsx, invalid lines with their line numbers, all-or-nothing or --skip-invalid, dry runs, snapshots, re-imports.
/// </summary>
public abstract class RegistryImportTests<TFactory>(TFactory factory) : IClassFixture<TFactory>, IDisposable where TFactory : ClaimsAppFactory
{
    private const string Header = "insuredId,regionCode,category,validFrom,validTo,source";
    private readonly HttpClient _admin = factory.ClientFor("admin");
    private readonly HttpClient _hospital = factory.ClientFor("hospital", GuilinHospital);
    private readonly string _folder = Directory.CreateTempSubdirectory("claims-import-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task AUtf8CsvIsImportedAndItsEntriesApplyToSettlements()
    {
        var (poor, subsistence) = (NewInsuredId(), NewInsuredId());
        var file = Write("utf8.csv", Encoding.UTF8, Header,
            $"{poor},450300,registered_poor,2016-01-01,,民政局 2020年6月",
            $"{subsistence},450300,subsistence,2020/1/1,2020-12-31,");

        var run = await ImportAsync(file, "--source", "batch 2020-06");

        Assert.Equal("2 recorded, 0 ended, 0 unchanged, 0 invalid", run.LastLine);
        var entry = Assert.Single(await EntriesAsync(poor));
        Assert.Equal(("registered_poor", "民政局 2020年6月"), (entry.Text("category"), entry.Text("source")));
        Assert.Equal(("2020-01-01", "2020-12-31", "batch 2020-06"), (Assert.Single(await EntriesAsync(subsistence)).Text("validFrom"),
            (await EntriesAsync(subsistence))[0].Text("validTo"), (await EntriesAsync(subsistence))[0].Text("source")));
        var preview = await (await _hospital.PostJsonAsync("/v1/settlements/preview", Settlement(poor))).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(("registered_poor", 33_900m), (preview.Text("category"), preview.Money("payout")));
    }

    [Fact]
    public async Task AGb18030CsvIsReadWithItsEncodingAndRefusedAsUtf8()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var person = NewInsuredId();
        var file = Write("gb.csv", Encoding.GetEncoding("GB18030"), Header, $"{person},450300,poverty_monitored,2020-01-01,,桂林市民政局 监测户名单");

        var asUtf8 = await ImportAsync(file);
        Assert.NotEqual(0, asUtf8.Exit);
        Assert.Contains("gb18030", Assert.Single(asUtf8.Errors));
        Assert.Empty(await EntriesAsync(person));

        var run = await ImportAsync(file, "--encoding", "gb18030");
        Assert.Equal("1 recorded, 0 ended, 0 unchanged, 0 invalid", run.LastLine);
        Assert.Equal("桂林市民政局 监测户名单", Assert.Single(await EntriesAsync(person)).Text("source"));
    }

    [Fact]
    public async Task TheFirstSheetOfAnXlsxIsImported()
    {
        var (first, second) = (NewInsuredId(), NewInsuredId());
        var path = Path.Combine(_folder, "export.xlsx");
        // As exported: dates as date cells or as text, an empty validTo.
        MiniExcel.SaveAs(path, new[]
        {
            new Dictionary<string, object?> { ["insuredId"] = first, ["regionCode"] = "450300", ["category"] = "registered_poor", ["validFrom"] = new DateTime(2016, 1, 1), ["validTo"] = null, ["source"] = "乡村振兴局" },
            new Dictionary<string, object?> { ["insuredId"] = second, ["regionCode"] = "450000", ["category"] = "subsistence", ["validFrom"] = "2020-03-01", ["validTo"] = "2020-09-30", ["source"] = null },
        });

        var run = await ImportAsync(path);

        Assert.Equal("2 recorded, 0 ended, 0 unchanged, 0 invalid", run.LastLine);
        var a = Assert.Single(await EntriesAsync(first));
        Assert.Equal(("2016-01-01", "乡村振兴局"), (a.Text("validFrom"), a.Text("source")));
        var b = Assert.Single(await EntriesAsync(second));
        Assert.Equal(("450000", "2020-03-01", "2020-09-30"), (b.Text("regionCode"), b.Text("validFrom"), b.Text("validTo")));
    }

    [Fact]
    public async Task InvalidLinesAreReportedWithTheirLineNumbersAndNothingIsWritten()
    {
        var (valid, other) = (NewInsuredId(), NewInsuredId());
        var file = Write("bad.csv", Encoding.UTF8, Header,
            $"{valid},450300,registered_poor,2016-01-01,,",
            $"{WithWrongCheckDigit(other)},450300,registered_poor,2016-01-01,,", // line 3
            $"{other},450300,very_poor,2016-01-01,,", // line 4
            $"{other},450300,subsistence,2020-01-01,,",
            $"{other},4503,subsistence,2020-13-01,2019-01-01,"); // line 6

        var run = await ImportAsync(file);

        Assert.NotEqual(0, run.Exit);
        Assert.Equal("0 recorded, 0 ended, 0 unchanged, 3 invalid", run.LastLine);
        var reported = run.StderrLines.Where(l => l.StartsWith("line ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["line 3", "line 4", "line 6"], reported.Select(l => l[..l.IndexOf(':')]));
        Assert.Contains("insuredId", reported[0]);
        Assert.Contains("category", reported[1]);
        Assert.Contains("regionCode", reported[2]);
        Assert.Contains("validFrom", reported[2]);
        Assert.DoesNotContain(other[6..], string.Join('\n', run.StderrLines)); // never a resident ID in the report
        Assert.Single(run.Errors);
        Assert.Empty(await EntriesAsync(valid));
        Assert.Empty(await EntriesAsync(other));
    }

    [Fact]
    public async Task SkipInvalidWritesTheValidLines()
    {
        var (valid, other) = (NewInsuredId(), NewInsuredId());
        var file = Write("skip.csv", Encoding.UTF8, Header,
            $"{valid},450300,registered_poor,2016-01-01,,",
            $"{other},450300,very_poor,2016-01-01,,",
            $"{other},450300,subsistence,2020-01-01,,");

        var run = await ImportAsync(file, "--skip-invalid");

        Assert.Equal(0, run.Exit);
        Assert.Equal("2 recorded, 0 ended, 0 unchanged, 1 invalid", run.LastLine);
        Assert.Single(run.StderrLines, l => l.StartsWith("line 3: category", StringComparison.Ordinal));
        Assert.Single(await EntriesAsync(valid));
        Assert.Equal("subsistence", Assert.Single(await EntriesAsync(other)).Text("category"));
    }

    [Fact]
    public async Task ADryRunCountsButWritesNothing()
    {
        var person = NewInsuredId();
        var file = Write("dry.csv", Encoding.UTF8, Header, $"{person},450300,registered_poor,2016-01-01,,", $"{person},450300,marginal,2016-01-01,,");

        var run = await ImportAsync(file, "--dry-run");

        Assert.Equal((0, "2 recorded, 0 ended, 0 unchanged, 0 invalid"), (run.Exit, run.LastLine));
        Assert.Empty(await EntriesAsync(person));
    }

    [Fact]
    public async Task AReImportIsAllUnchanged()
    {
        var (first, second) = (NewInsuredId(), NewInsuredId());
        var file = Write("again.csv", Encoding.UTF8, Header,
            $"{first},450300,registered_poor,2016-01-01,,", $"{second},450300,subsistence,2020-01-01,2020-12-31,", $"{second},450300,subsistence,2020-01-01,2020-12-31,");

        var once = await ImportAsync(file);
        var again = await ImportAsync(file);

        Assert.Equal("2 recorded, 0 ended, 1 unchanged, 0 invalid", once.LastLine); // the repeated line is recorded once
        Assert.Equal("0 recorded, 0 ended, 3 unchanged, 0 invalid", again.LastLine);
        Assert.Single(await EntriesAsync(second));
    }

    [Fact]
    public async Task ASnapshotOpensTheNewEndsTheMissingAndKeepsTheMembers()
    {
        const string region = "450381"; // no other test of this suite records in it
        var (member, leaving, joining, later) = (NewInsuredId(), NewInsuredId(), NewInsuredId(), NewInsuredId());
        await (await _admin.PostJsonAsync("/v1/registry/entries", new JsonArray(
            RegistryEntry(member, "subsistence", "2019-01-01", regionCode: region),
            RegistryEntry(leaving, "subsistence", "2019-01-01", regionCode: region),
            RegistryEntry(later, "subsistence", "2020-09-01", regionCode: region)))).ShouldBeAsync(HttpStatusCode.Created);
        var file = Write("snapshot.csv", Encoding.UTF8, "insuredId", member, joining);

        var run = await ImportAsync(file, "--snapshot", "--region", region, "--category", "subsistence", "--as-of", "2020-07-01");
        var again = await ImportAsync(file, "--snapshot", "--region", region, "--category", "subsistence", "--as-of", "2020-07-01");

        Assert.Equal("1 recorded, 1 ended, 1 unchanged, 0 invalid", run.LastLine);
        Assert.Equal("0 recorded, 0 ended, 2 unchanged, 0 invalid", again.LastLine);
        var left = Assert.Single(await EntriesAsync(leaving));
        Assert.Equal("2020-06-30", left.Text("validTo"));
        Assert.Equal(["recorded", "ended"], left.GetProperty("history").EnumerateArray().Select(h => h.Text("action")));
        var joined = Assert.Single(await EntriesAsync(joining));
        Assert.Equal((region, "subsistence", "2020-07-01"), (joined.Text("regionCode"), joined.Text("category"), joined.Text("validFrom")));
        Assert.False(Assert.Single(await EntriesAsync(member)).TryGetProperty("validTo", out _));
        Assert.False(Assert.Single(await EntriesAsync(later)).TryGetProperty("validTo", out _)); // starts after --as-of: left alone
    }

    [Fact]
    public async Task ACategoryAddedToTheCatalogueIsImportedAndAnUncataloguedOneIsNot()
    {
        await (await _admin.PostJsonAsync("/v1/categories", new JsonObject { ["code"] = "relapse_risk_import", ["name"] = "返贫致贫人口" }))
            .ShouldBeAsync(HttpStatusCode.Created);
        var person = NewInsuredId();
        var file = Write("catalogue.csv", Encoding.UTF8, Header,
            $"{person},450300,relapse_risk_import,2020-01-01,,", $"{person},450300,relapse_risk_unknown,2020-01-01,,");

        var run = await ImportAsync(file, "--skip-invalid");

        Assert.Equal("1 recorded, 0 ended, 0 unchanged, 1 invalid", run.LastLine);
        Assert.Single(run.StderrLines, l => l.StartsWith("line 3: category", StringComparison.Ordinal));
        Assert.Equal("relapse_risk_import", Assert.Single(await EntriesAsync(person)).Text("category"));
    }

    [Theory]
    [InlineData("--snapshot", "--region", "450300")]
    [InlineData("--encoding", "latin1")]
    [InlineData("--category", "subsistence")]
    public async Task BadOptionsFailWithOneReason(params string[] options)
    {
        var file = Write("opts.csv", Encoding.UTF8, Header, $"{NewInsuredId()},450300,registered_poor,2016-01-01,,");
        var run = await ImportAsync(file, options);
        Assert.NotEqual(0, run.Exit);
        Assert.Single(run.Errors);
    }

    private string Write(string name, Encoding encoding, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\r\n", lines) + "\r\n", encoding);
        return path;
    }

    private async Task<List<JsonElement>> EntriesAsync(string person) =>
        (await (await _admin.GetAsync($"/v1/registry/entries?insuredId={person}")).ShouldBeAsync(HttpStatusCode.OK))
        .GetProperty("entries").EnumerateArray().ToList();

    private sealed record Run(int Exit, string Stdout, string Stderr)
    {
        public string LastLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.TrimEnd('\r') ?? "";
        public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        public IReadOnlyList<string> Errors => StderrLines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
    }

    private async Task<Run> ImportAsync(string file, params string[] options)
    {
        var (provider, connectionString) = factory.Database;
        var (exit, stdout, stderr) = await ServiceProcess.RunAsync(_folder, provider, connectionString, ["registry", "import", file, .. options]);
        return new Run(exit, stdout, stderr);
    }
}

public sealed class SqliteRegistryImportTests(SqliteAppFactory f) : RegistryImportTests<SqliteAppFactory>(f);
