using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace ClaimsService.Api.Ops;

/// <summary>
/// The ops dashboard at <c>/dashboard</c>: a static page embedded in the assembly (Ops/Dashboard, with Chart.js vendored
/// under vendor/; see dashboard/README.md), so it ships with the binary and needs no npm at run time. The page itself is
/// public; the data it reads (<c>/v1/ops/summary</c>) needs an ops key.
/// </summary>
public static class DashboardApi
{
    private const string Prefix = "dashboard/";

    // Scripts and styles from this origin only; the page fetches only this origin.
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dashboard").ExcludeFromDescription();
        group.MapGet("/", (HttpContext http) => Serve(http, "index.html")).WithName("Dashboard");
        group.MapGet("/{**path}", (string path, HttpContext http) => Serve(http, path));
        return app;
    }

    private static IResult Serve(HttpContext http, string path)
    {
        if (!Assets.Value.TryGetValue(path, out var asset)) return TypedResults.NotFound();
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        // The page is tiny and changes with each release: always revalidate (a 304 costs nothing).
        headers.CacheControl = "no-cache";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = Policy;
            headers["Referrer-Policy"] = "no-referrer";
        }
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardApi).Assembly;
        var types = new FileExtensionContentTypeProvider();
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var type = types.TryGetContentType(name, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal)) type += "; charset=utf-8";
            assets[name[Prefix.Length..]] = new Asset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
