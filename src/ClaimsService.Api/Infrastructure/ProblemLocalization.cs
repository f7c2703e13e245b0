using System.Globalization;
using System.Resources;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// The one place problems get their language (api.md "Errors": Accept-Language: zh-CN gives title and detail in Chinese, the
/// code stays). Problems are written through IProblemDetailsService, whose CustomizeProblemDetails calls <see cref="Apply"/>:
/// the title and detail are looked up again by code in the request's UI culture and filled with the values the call site gave.
/// </summary>
public static class ProblemLocalization
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    public static readonly string[] UiCultures = ["en", "zh-CN", "zh"];

    private static readonly ResourceManager Texts = new("ClaimsService.Api.Infrastructure.ProblemTexts", typeof(ProblemLocalization).Assembly);

    // The values of a problem's detail, kept beside the instance (not serialised) until it is written.
    private static readonly ConditionalWeakTable<ProblemDetails, object?[]> Values = new();

    /// <summary>Request localisation: the UI culture from Accept-Language (en, zh-CN; any zh-* reads Chinese); formatting stays invariant.</summary>
    public static IServiceCollection AddProblemLocalization(this IServiceCollection services)
    {
        services.AddRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(CultureInfo.InvariantCulture, English);
            o.SupportedCultures = [CultureInfo.InvariantCulture];
            o.SupportedUICultures = UiCultures.Select(CultureInfo.GetCultureInfo).ToList();
            o.FallBackToParentUICultures = true;
            // Only the header: a query string or cookie must not change a machine client's answers.
            o.RequestCultureProviders = [new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => Apply(c.HttpContext, c.ProblemDetails));
        // After the default writer: answers the requests it declines (an Accept without JSON, e.g. text/csv), translated too.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        return services;
    }

    public static void Remember(ProblemDetails problem, object?[] args)
    {
        if (args.Length > 0) Values.AddOrUpdate(problem, args);
    }

    /// <summary>Gives the problem a code if the framework wrote it without one, and its texts in the request's language.</summary>
    public static void Apply(HttpContext http, ProblemDetails problem)
    {
        if (!problem.Extensions.TryGetValue("code", out var value) || value is not string code)
        {
            code = problem.Status is StatusCodes.Status500InternalServerError or null ? ProblemCodes.InternalError : ProblemCodes.ForStatus(problem.Status.Value);
            problem.Extensions["code"] = code;
            if (code == ProblemCodes.InternalError)
            {
                problem.Title = Title(code, null);
                problem.Detail = Detail(code, [], null);
            }
        }
        var culture = http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? CultureInfo.CurrentUICulture;
        if (!IsChinese(culture)) return;
        var args = Values.TryGetValue(problem, out var remembered) ? remembered : [];
        problem.Title = Title(code, Chinese);
        problem.Detail = Detail(code, args, Chinese) ?? problem.Detail;
    }

    public static bool IsChinese(CultureInfo culture) => culture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);

    /// <summary>The title of a code in a language (null: English), falling back to English, then to the code.</summary>
    public static string Title(string code, CultureInfo? culture) =>
        Texts.GetString(Key(code), culture ?? English) ?? Texts.GetString(Key(code), English) ?? code;

    /// <summary>The detail template of a code filled with the call site's values, or null when the code has none.</summary>
    public static string? Detail(string code, object?[] args, CultureInfo? culture) =>
        Texts.GetString(Key(code) + ".detail", culture ?? English) is { } template ? string.Format(CultureInfo.InvariantCulture, template, args) : null;

    // http_404, http_409, …: one text with the status as its value.
    private static string Key(string code) =>
        code.StartsWith("http_", StringComparison.Ordinal) && code.Length == 8 && char.IsAsciiDigit(code[5]) ? ProblemCodes.HttpStatus : code;

    /// <summary>Whether a language has its own text for a key (no fallback), for the tests.</summary>
    public static string? OwnText(string key, CultureInfo culture) =>
        Texts.GetResourceSet(culture, createIfNotExists: true, tryParents: false)?.GetString(key);
}

/// <summary>
/// The default problem writer declines a request whose Accept names no JSON type, and the result then writes the problem
/// itself, bypassing CustomizeProblemDetails. This writer, registered after it, takes those: still problem+json, still translated.
/// </summary>
internal sealed class AnyAcceptProblemWriter(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options,
    Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        context.ProblemDetails.Status ??= http.Response.StatusCode;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var type = context.ProblemDetails.GetType();
        return new ValueTask(http.Response.WriteAsJsonAsync(context.ProblemDetails, json.Value.SerializerOptions.GetTypeInfo(type),
            "application/problem+json", http.RequestAborted));
    }
}
