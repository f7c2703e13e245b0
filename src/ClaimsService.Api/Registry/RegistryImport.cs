using System.Globalization;
using System.Text;
using ClaimsService.Api.Infrastructure;
using ClaimsService.Data.Dialects;
using ClaimsService.Data.Stores;
using MiniExcelLibs;
using nietras.SeparatedValues;
using Spectre.Console;

namespace ClaimsService.Api.Registry;

/// <summary>
/// <c>registry import FILE …</c> (api.md "Registry"): the files regions receive (民政 / 乡村振兴 lists), CSV in UTF-8 or GB18030
/// or the first sheet of an .xlsx, streamed line by line into the store's bulk load. Every invalid line is reported on
/// stderr with its line number (the header is line 1) and reason, never with a resident ID; without --skip-invalid one
/// invalid line means nothing is written. The last line of stdout: <c>N recorded, N ended, N unchanged, N invalid</c>.
/// </summary>
public static class RegistryImport
{
    public const string Usage = """
        ClaimsService.Api registry import FILE [--encoding utf-8|gb18030] [--source TEXT] [--skip-invalid] [--dry-run]
               ClaimsService.Api registry import FILE --snapshot --region CODE --category CATEGORY --as-of yyyy-MM-dd [same options]
        """;

    private static readonly string[] Columns = ["insuredId", "regionCode", "category", "validFrom", "validTo", "source"];
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy/M/d"]; // the second: dates as Excel writes them in zh-CN

    private sealed record Options(string File, Encoding Encoding, string? Source, bool SkipInvalid, bool DryRun, RegistrySnapshot? Snapshot,
        IReadOnlySet<string> Catalogue);

    /// <summary>A line as read: its number and its fields by column (null when the column is missing or empty).</summary>
    private sealed record RawLine(long Line, string?[] Fields);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        // The category catalogue (/v1/categories) is read once: a line's category must be one of its codes.
        var options = Parse(args, await services.GetRequiredService<CategoryStore>().CodesAsync(CancellationToken.None));
        var store = services.GetRequiredService<RegistryStore>();
        var now = services.GetRequiredService<TimeProvider>().UtcNowStored();
        // Progress and the invalid lines share stderr through one console, so a live bar redraws around them; lines are not wrapped.
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.Profile.Width = 4096;
        long invalid = 0;

        RegistryImportOutcome outcome = null!;
        await stderr.Progress().AutoClear(true).HideCompleted(true).StartAsync(async progress =>
        {
            await using var file = File.OpenRead(options.File);
            var task = progress.AddTask(Path.GetFileName(options.File), maxValue: Math.Max(file.Length, 1));
            IEnumerable<StagedRegistryEntry> Valid()
            {
                foreach (var line in Read(file, options.Encoding))
                {
                    if (line.Line % 4096 == 0) task.Value = file.Position;
                    var (entry, reason) = Check(line, options);
                    if (entry is not null)
                    {
                        yield return entry;
                        continue;
                    }
                    invalid++;
                    stderr.WriteLine($"line {line.Line}: {reason}", Style.Plain);
                }
                task.Value = task.MaxValue;
            }
            outcome = await store.ImportAsync(Valid(), options.Snapshot, $"cli:{Environment.UserName}", now,
                commit: () => !options.DryRun && (invalid == 0 || options.SkipInvalid), CancellationToken.None);
        });

        // Refused (invalid lines without --skip-invalid): nothing was written, so nothing is counted as done.
        if (invalid > 0 && !options.SkipInvalid) outcome = new RegistryImportOutcome(0, 0, 0);
        Console.WriteLine($"{outcome.Recorded} recorded, {outcome.Ended} ended, {outcome.Unchanged} unchanged, {invalid} invalid");
        if (invalid > 0 && !options.SkipInvalid)
            throw new InvalidOperationException($"{invalid} invalid line(s); nothing was written (--skip-invalid writes the valid lines).");
        if (options.DryRun) Console.Error.WriteLine("dry run: nothing was written.");
        return 0;
    }

    private static Options Parse(string[] args, IReadOnlySet<string> catalogue)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("registry import needs a FILE.");
        var file = args[0];
        string encoding = "utf-8";
        string? source = null, region = null, category = null, asOf = null;
        bool skip = false, dry = false, snapshot = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--skip-invalid": skip = true; continue;
                case "--dry-run": dry = true; continue;
                case "--snapshot": snapshot = true; continue;
            }
            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i - 1])
            {
                case "--encoding": encoding = value.ToLowerInvariant(); break;
                case "--source": source = value; break;
                case "--region": region = value; break;
                case "--category": category = value; break;
                case "--as-of": asOf = value; break;
                default: throw new ArgumentException($"Unknown option {args[i - 1]} (ClaimsService.Api help lists the options).");
            }
        }
        if (!File.Exists(file)) throw new ArgumentException($"No file {file}.");
        if (source is not null && (source.Length > RegistryEntryRules.SourceMaxLength || !Identifiers.IsPrintableText(source)))
            throw new ArgumentException($"--source is at most {RegistryEntryRules.SourceMaxLength} printable characters.");
        RegistrySnapshot? snap = null;
        if (snapshot)
        {
            if (!Identifiers.IsRegionCode(region)) throw new ArgumentException("A snapshot needs --region CODE (6 digits).");
            if (!RegistryEntryRules.IsKnownCategory(category, catalogue, out var parsed))
                throw new ArgumentException($"A snapshot needs --category: {RegistryEntryRules.CategoryMessage(catalogue)}");
            if (!DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                throw new ArgumentException("A snapshot needs --as-of yyyy-MM-dd.");
            snap = new RegistrySnapshot(region!, parsed.Code, day);
        }
        else if (region is not null || category is not null || asOf is not null)
            throw new ArgumentException("--region, --category and --as-of go with --snapshot.");
        return new Options(file, EncodingOf(encoding), source, skip, dry, snap, catalogue);
    }

    private static Encoding EncodingOf(string name)
    {
        switch (name)
        {
            case "utf-8" or "utf8":
                return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            case "gb18030":
                // GB18030 is not built in: the code-pages provider ships with .NET and is registered on first use.
                Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
                return Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            default:
                throw new ArgumentException("--encoding is utf-8 or gb18030.");
        }
    }

    private static IEnumerable<RawLine> Read(FileStream file, Encoding encoding)
    {
        var lines = Path.GetExtension(file.Name).Equals(".xlsx", StringComparison.OrdinalIgnoreCase) ? ReadXlsx(file) : ReadCsv(file, encoding);
        using var e = lines.GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext()) yield break;
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidOperationException(encoding is UTF8Encoding
                    ? "The file is not valid UTF-8 (a GB18030 export? try --encoding gb18030)."
                    : "The file is not valid GB18030.");
            }
            yield return e.Current;
        }
    }

    private static IEnumerable<RawLine> ReadCsv(Stream file, Encoding encoding)
    {
        using var text = new StreamReader(file, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, HasHeader = true }).From(text);
        var index = HeaderIndex(reader.Header.ColNames);
        long line = 1;
        foreach (var row in reader)
        {
            line++;
            var fields = new string?[Columns.Length];
            for (var c = 0; c < Columns.Length; c++)
                if (index[c] >= 0 && index[c] < row.ColCount && row[index[c]].Span.Trim() is { IsEmpty: false } value) fields[c] = value.ToString();
            yield return new RawLine(line, fields);
        }
    }

    private static IEnumerable<RawLine> ReadXlsx(Stream file)
    {
        // The first sheet, streamed; each row is a dictionary by column letter (A, B, …) since the header is read here.
        int[]? index = null;
        string[] letters = [];
        long line = 0;
        foreach (IDictionary<string, object?> row in MiniExcel.Query(file, useHeaderRow: false, excelType: ExcelType.XLSX))
        {
            line++;
            if (index is null)
            {
                letters = [.. row.Keys];
                index = HeaderIndex(letters.Select(k => row[k]?.ToString() ?? "").ToList());
                continue;
            }
            var fields = new string?[Columns.Length];
            for (var c = 0; c < Columns.Length; c++)
                if (index[c] >= 0 && row.TryGetValue(letters[index[c]], out var cell)) fields[c] = CellText(cell);
            if (fields.All(f => f is null)) continue; // Excel keeps formatted empty rows at the end of a sheet
            yield return new RawLine(line, fields);
        }
        if (index is null) throw new InvalidOperationException("line 1: the file is empty; it needs a header.");
    }

    private static string? CellText(object? cell) => cell switch
    {
        null => null,
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s.Trim() : null,
        _ => cell.ToString()?.Trim() is { Length: > 0 } s ? s : null,
    };

    private static int[] HeaderIndex(IReadOnlyList<string> names)
    {
        var index = Columns.Select(c => names.ToList().FindIndex(n => n.Trim().Trim('\uFEFF').Equals(c, StringComparison.OrdinalIgnoreCase))).ToArray();
        if (index[0] < 0) throw new InvalidOperationException($"line 1: the header must name the columns {string.Join(",", Columns[..5])}[,source]; insuredId is missing.");
        return index;
    }

    /// <summary>A valid line as the store stages it, or why it is not valid (field names only: never a resident ID).</summary>
    private static (StagedRegistryEntry? Entry, string? Reason) Check(RawLine line, Options options)
    {
        var f = line.Fields;
        var e = new FieldErrors();
        var source = f[5] ?? options.Source;
        if (options.Snapshot is { } snap)
        {
            var insured = e.ResidentId("insuredId", f[0]);
            e.Text("source", source, RegistryEntryRules.SourceMaxLength);
            return e.Any ? (null, Reason(e)) : (new StagedRegistryEntry(line.Line, insured, snap.RegionCode, snap.Category, snap.AsOf, null,
                source ?? $"snapshot {snap.RegionCode} {snap.Category} {snap.AsOf:yyyy-MM-dd}"), null);
        }
        // A date that does not parse is reported once, as such (not also as missing).
        var from = Date(e, "validFrom", f[3]) ?? (f[3] is null ? null : DateOnly.MinValue);
        var to = Date(e, "validTo", f[4]);
        var entry = RegistryEntryRules.Check(e, "", options.Catalogue, f[0], f[1], f[2], from, to, source);
        return e.Any ? (null, Reason(e)) : (new StagedRegistryEntry(line.Line, entry.InsuredId, entry.RegionCode, entry.Category.Code, entry.ValidFrom, entry.ValidTo, entry.Source), null);
    }

    private static DateOnly? Date(FieldErrors e, string field, string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        e.Add(field, "A date yyyy-MM-dd.");
        return null;
    }

    private static string Reason(FieldErrors e) =>
        string.Join("; ", e.ToDictionary().Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}"));
}
