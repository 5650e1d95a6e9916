using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// Debian's Chromium opens /analytics, logs in through the form, reads the rendered figures against the JSON API's,
/// switches tenant and date range, exports a chart, and saves screenshots under artifacts/screenshots.
/// </summary>
public sealed class AnalyticsBrowserTests
{
    private static string ArtifactDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "orleans.sln"))) dir = dir.Parent;
            return Directory.CreateDirectory(Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots")).FullName;
        }
    }

    private static string Percent(JsonElement ratio) =>
        ratio.ValueKind == JsonValueKind.Null ? "–" : (ratio.GetDouble() * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static async Task ExpectFigures(IPage page, JsonElement report)
    {
        var o = report.GetProperty("overview");
        await Expect(page.Locator("#metric-conversations")).ToHaveTextAsync(o.GetProperty("conversations").GetInt64().ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#metric-containment")).ToHaveTextAsync(Percent(o.GetProperty("containment")));
        await Expect(page.Locator("#metric-zero-knowledge")).ToHaveTextAsync(Percent(o.GetProperty("zeroKnowledgeTransferRate")));
        await Expect(page.Locator("#metric-drop-off")).ToHaveTextAsync(Percent(report.GetProperty("escalation").GetProperty("dropOff")));
    }

    [Fact]
    public async Task The_page_logs_in_shows_the_api_figures_and_follows_tenant_and_date_range()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/lib/chromium/chromium" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: apt-get install chromium (./test.sh does).");
        await using var engine = await SiloApp.StartAsync();
        await engine.TurnAsync("whatsapp", "919811100041", "b-1", "hello");
        await engine.TurnAsync("webchat", "visitor-b-41", "b-2", "talk to an agent");
        var post = await engine.Http.PostAsJsonAsync("api/turns?tenant=autoservice", new { channel = "whatsapp", address = "919811100042", messageId = "b-3", text = "hello" });
        post.EnsureSuccessStatusCode();
        var airline = await engine.ReportWhenAsync(3);
        var autoservice = await engine.ReportWhenAsync(1, "tenant=autoservice");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new() { BaseURL = engine.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/analytics");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/analytics/login$"));
        await page.FillAsync("#key", "not-the-admin-key-at-all");
        await page.ClickAsync("#login");
        await Expect(page.Locator("#error")).ToContainTextAsync("not a valid admin key");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactDirectory, "analytics-login.png") });
        await page.FillAsync("#key", SiloApp.AdminKey);
        await page.ClickAsync("#login");
        await Expect(page.Locator("#metric-containment")).ToBeVisibleAsync();
        Assert.DoesNotContain(SiloApp.AdminKey, page.Url);
        await ExpectFigures(page, airline);
        await Expect(page.Locator("#switch-matrix")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactDirectory, "analytics-airline.png"), FullPage = true });

        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "switchboard-analytics");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(SiloApp.AdminKey, cookie.Value);

        await page.SelectOptionAsync("#tenant", "autoservice");
        await page.ClickAsync("#apply");
        await Expect(page.Locator("#tenant")).ToHaveValueAsync("autoservice");
        await ExpectFigures(page, autoservice);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactDirectory, "analytics-autoservice.png"), FullPage = true });

        // A range with nothing in it: the page and the API agree on zero.
        await page.SelectOptionAsync("#tenant", "airline");
        await page.FillAsync("#from", "2025-01-01");
        await page.FillAsync("#to", "2025-01-31");
        await page.ClickAsync("#apply");
        await Expect(page.Locator("#from")).ToHaveValueAsync("2025-01-01");
        var empty = await engine.ReportAsync("tenant=airline&from=2025-01-01&to=2025-01-31");
        Assert.Equal(0, empty.GetProperty("overview").GetProperty("conversations").GetInt64());
        await ExpectFigures(page, empty);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactDirectory, "analytics-empty-range.png"), FullPage = true });

        // The export link of a chart answers CSV on the page's session.
        await page.SelectOptionAsync("#tenant", "airline");
        await page.FillAsync("#from", DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.FillAsync("#to", DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.ClickAsync("#apply");
        var href = await page.Locator("#export-channels").GetAttributeAsync("href");
        var csv = await (await context.APIRequest.GetAsync(href!)).TextAsync();
        Assert.StartsWith("channel,conversations,contained,containment", csv);
        Assert.Contains("webchat,1,0,0,", csv);
    }
}
