using Microsoft.Playwright;

namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (style.md): never a browser download. The background-networking flags keep
/// Chromium from calling out of this closed network.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: apt-get install -y chromium (scripts/test.sh does it).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>Saves next to the test binaries and copies to TestResults/ of the test project, a stable place to look.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var stable = Api.Tests.Infrastructure.ClaimsAppFactory.RepositoryPath("tests", "ClaimsService.Browser.Tests", "TestResults", name);
        Directory.CreateDirectory(Path.GetDirectoryName(stable)!);
        File.Copy(path, stable, overwrite: true);
        return stable;
    }
}
