using Microsoft.AspNetCore.Http.HttpResults;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// Every error is application/problem+json with a stable machine-readable <c>code</c> (api.md "Errors"). Titles and details come
/// from ProblemTexts.resx by code (English, the default) with the call site's values; <see cref="ProblemLocalization"/>
/// turns them into the request's language (Accept-Language: zh-CN) as the problem is written.
/// </summary>
public static class Problems
{
    public const string ValidationFailed = ProblemCodes.ValidationFailed;

    /// <summary>A problem of a catalogued code (<see cref="ProblemCodes"/>); <paramref name="args"/> fill its detail template.</summary>
    public static ProblemHttpResult Of(int status, string code, params object?[] args)
    {
        var result = TypedResults.Problem(detail: ProblemLocalization.Detail(code, args, null), statusCode: status,
            title: ProblemLocalization.Title(code, null), extensions: new Dictionary<string, object?> { ["code"] = code });
        ProblemLocalization.Remember(result.ProblemDetails, args);
        return result;
    }

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: ProblemLocalization.Detail(ValidationFailed, [], null),
            title: ProblemLocalization.Title(ValidationFailed, null), extensions: new Dictionary<string, object?> { ["code"] = ValidationFailed });

    public static ProblemHttpResult UnsupportedMediaType() => Of(415, ProblemCodes.UnsupportedMediaType);

    /// <summary>One answer for a body over the limit, whether it came with a Content-Length or chunked.</summary>
    public static ProblemHttpResult PayloadTooLarge() => Of(413, ProblemCodes.PayloadTooLarge);

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Collects field errors for a validation problem.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>Checks a present, non-negative amount with at most two decimals, up to <see cref="Domain.Money.Max"/>.</summary>
    public decimal Amount(string field, decimal? value, bool required = true)
    {
        switch (value)
        {
            case null:
                if (required) Add(field, "Required.");
                return 0m;
            case < 0m:
                Add(field, "Must not be negative.");
                break;
            case > Domain.Money.Max:
                Add(field, $"Must not exceed {Domain.Money.Max:0.00}.");
                break;
        }
        // The JSON reader already refuses an amount whose text is not a whole number of fen (MoneyJsonConverter).
        if (!Domain.Money.HasAtMostTwoDecimals(value.Value)) Add(field, "At most two decimals.");
        return value.Value;
    }

    public T Required<T>(string field, T? value) where T : struct
    {
        if (value is null) Add(field, "Required.");
        return value.GetValueOrDefault();
    }

    /// <summary>A required free text of at most <paramref name="maxLength"/> characters (see <see cref="Text"/>).</summary>
    public string Required(string field, string? value, int maxLength = 64)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "Required.");
        else Text(field, value, maxLength);
        return value ?? "";
    }

    /// <summary>
    /// Optional free text: at most <paramref name="maxLength"/> characters (the column's size on every provider), no control
    /// character (PostgreSQL refuses NUL in text) and no unpaired surrogate (not encodable as UTF-8).
    /// </summary>
    public string? Text(string field, string? value, int maxLength)
    {
        if (value is null) return null;
        if (value.Length > maxLength) Add(field, $"At most {maxLength} characters.");
        else if (!Identifiers.IsPrintableText(value)) Add(field, "Control characters and unpaired surrogates are not accepted.");
        return value;
    }

    /// <summary>A settlement id as the body and the path carry it (<see cref="Identifiers.IsSettlementId"/>).</summary>
    public string SettlementId(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "Required.");
        else if (!Identifiers.IsSettlementId(value))
            Add(field, $"1 to {Identifiers.SettlementIdMaxLength} characters: letters, digits, '-', '_' and '.' only.");
        return value ?? "";
    }

    public string RegionCode(string field, string? value)
    {
        if (value is null) Add(field, "Required.");
        else if (!Domain.RegionCode.TryParse(value, out var region)) Add(field, "A 6-digit administrative division code.");
        else return region.Value;
        return value ?? "";
    }

    /// <summary>A fraction between <paramref name="min"/> and 1 with at most <see cref="Identifiers.RateDecimals"/> decimals.</summary>
    public decimal? Fraction(string field, decimal? value, decimal min = 0m)
    {
        if (value is null) return null;
        if (value < min || value > 1m) Add(field, min == 0m ? "A fraction between 0 and 1." : $"A fraction above {min} and at most 1.");
        else if (decimal.Round(value.Value, Identifiers.RateDecimals) != value) Add(field, $"At most {Identifiers.RateDecimals} decimals.");
        return value;
    }

    public string ResidentId(string field, string? value)
    {
        if (value is null) Add(field, "Required.");
        else if (!Domain.ResidentId.TryParse(value, out var id)) Add(field, "Not a valid 18-character resident identity number (check digit ISO 7064 MOD 11-2).");
        else return id.Value;
        return value?.ToUpperInvariant() ?? "";
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
}
