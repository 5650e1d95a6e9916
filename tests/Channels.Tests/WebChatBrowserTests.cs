using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Channels.Tests;

/// <summary>Debian's Chromium, driven by Playwright; never a downloaded browser.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public SiloApp Silo { get; private set; } = null!;

    /// <summary><c>artifacts/screenshots</c> at the repository root (where ./test.sh keeps its logs), else beside the test binaries.</summary>
    public static string ArtifactDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "orleans.sln"))) dir = dir.Parent;
            var root = dir?.FullName ?? AppContext.BaseDirectory;
            return Directory.CreateDirectory(Path.Combine(root, "artifacts", "screenshots")).FullName;
        }
    }

    public async Task InitializeAsync()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/lib/chromium/chromium" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: apt-get install chromium (./test.sh does).");
        Silo = await Wire.StartAsync(graphBaseUrl: null);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Silo.DisposeAsync();
    }
}

public sealed class WebChatBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private string Url(string path) => new Uri(fx.Silo.BaseAddress, path).ToString();

    [Fact]
    public async Task Send_click_a_reply_button_reload_and_see_the_history()
    {
        await using var context = await fx.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/chat"));
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");

        await page.FillAsync("#input", "menu");
        await page.PressAsync("#input", "Enter");
        var button = page.Locator(".options button", new() { HasText = "Flight status" });
        await Expect(button).ToBeVisibleAsync();
        await Expect(page.Locator(".options button")).ToHaveCountAsync(3);
        await button.ClickAsync();
        await Expect(page.Locator(".msg.out").Last).ToContainTextAsync("Your flight SW 123 is on time.");
        await Expect(page.Locator(".options")).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await Expect(page.Locator(".msg.in").First).ToHaveTextAsync("menu");
        // The clicked button replays as what the customer saw: its title, not the transcript's option id.
        await Expect(page.Locator(".msg.in").Nth(1)).ToHaveTextAsync("Flight status");
        await Expect(page.Locator(".msg.out").Last).ToContainTextAsync("Your flight SW 123 is on time.");
        await Expect(page.Locator(".msg")).ToHaveCountAsync(4);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactDirectory, "webchat-history.png"), FullPage = true });

        // The cookie is the identity: one visitor, one customer, the whole exchange on the web chat channel.
        var cookies = await context.CookiesAsync();
        var visitor = Assert.Single(cookies, c => c.Name == "sb_visitor");
        Assert.True(visitor.HttpOnly);
    }

    [Fact]
    public async Task A_continue_on_web_link_from_whatsapp_opens_the_same_conversation()
    {
        const string wa = "919833300001";
        await Wire.PostSigned(fx.Silo.Http, Wire.Text(wa, "wamid.web.1", "card"));
        await Wire.PostSigned(fx.Silo.Http, Wire.Text(wa, "wamid.web.2", "web"));
        var customerId = await Wire.CustomerId(fx.Silo.Http, wa);
        var entry = (await Wire.Outbox(fx.Silo.Http, "&channel=whatsapp")).First(m =>
            m!["customerId"]!.ToString() == customerId && m["body"]!.ToString().Contains("/chat?token=", StringComparison.Ordinal))!;
        var link = System.Text.Json.Nodes.JsonNode.Parse(entry["body"]!.ToString())!["interactive"]!["action"]!["parameters"]!["url"]!.ToString();
        Assert.StartsWith(fx.Silo.BaseAddress.ToString().TrimEnd('/') + "/chat?token=", link);

        await using var context = await fx.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        // The token left the address bar; the WhatsApp conversation is on screen.
        Assert.DoesNotContain("token=", page.Url);
        Assert.DoesNotContain("link=expired", page.Url);
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await Expect(page.Locator(".msg.in").First).ToContainTextAsync("card");
        await Expect(page.Locator(".msg.in .via").First).ToHaveTextAsync("via whatsapp");
        await Expect(page.Locator(".msg.out").Last).ToContainTextAsync("Let's continue on the web.");

        await page.FillAsync("#input", "hello from the browser");
        await page.PressAsync("#input", "Enter");
        await Expect(page.Locator(".msg.out").Last).ToContainTextAsync("You said: hello from the browser");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactDirectory, "webchat-continue-on-web.png"), FullPage = true });

        var transcript = (await Wire.Json(await fx.Silo.Http.GetAsync($"/api/customers/{customerId}/transcript")))["turns"]!.AsArray();
        Assert.Contains(transcript, t => t!["channel"]!.ToString() == "webchat" && t["text"]!.ToString() == "hello from the browser");

        // The link is single-purpose: a second browser with the same token joins too only while it is valid; a forged one does not.
        await using var other = await fx.Browser.NewContextAsync();
        var forged = await other.NewPageAsync();
        await forged.GotoAsync(Url("/chat?token=forged.token.value"));
        Assert.Contains("link=expired", forged.Url);
        await Expect(forged.Locator("#status")).ToHaveTextAsync("online");
        await Expect(forged.Locator(".msg")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Rich_replies_show_cards_and_a_call_button_with_a_code_and_reconnect_resumes()
    {
        await using var context = await fx.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/chat"));
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await page.FillAsync("#input", "card");
        await page.PressAsync("#input", "Enter");
        await Expect(page.Locator(".card h3")).ToHaveTextAsync("SW 123");
        await Expect(page.Locator(".card .fact").First).ToHaveTextAsync("Departs: 16:00");

        await page.FillAsync("#input", "call");
        await page.PressAsync("#input", "Enter");
        await Expect(page.Locator(".action a")).ToHaveAttributeAsync("href", "tel:" + Wire.VoiceNumber);
        await Expect(page.Locator(".action .code")).ToHaveTextAsync(new Regex(@"key \*\d{6}#"));

        // Drop the socket under the page: it reconnects by itself and carries on the same conversation.
        await page.EvaluateAsync("() => window.switchboardChat.socket().close()");
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await page.FillAsync("#input", "after reconnect");
        await page.PressAsync("#input", "Enter");
        await Expect(page.Locator(".msg.out").Last).ToContainTextAsync("You said: after reconnect");
        await Expect(page.Locator(".msg.in")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_one_time_code_from_whatsapp_links_the_browser_to_the_same_customer_once()
    {
        const string wa = "919833300002";
        await Wire.PostSigned(fx.Silo.Http, Wire.Text(wa, "wamid.link.1", "call"));
        var customerId = await Wire.CustomerId(fx.Silo.Http, wa);
        var body = (await Wire.Outbox(fx.Silo.Http, "&channel=whatsapp")).Select(m => m!).First(m =>
            m["customerId"]!.ToString() == customerId && m["body"]!.ToString().Contains("key *", StringComparison.Ordinal))["body"]!.ToString();
        var code = Regex.Match(body, @"\*(\d{6})#").Groups[1].Value;

        await using var context = await fx.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/chat"));
        await Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await Expect(page.Locator(".msg")).ToHaveCountAsync(0);
        await page.FillAsync("#code", code);
        await page.ClickAsync("#link");
        await Expect(page.Locator(".msg.in").First).ToContainTextAsync("call");
        await Expect(page.Locator(".msg.in .via").First).ToHaveTextAsync("via whatsapp");

        // Single use: another browser cannot spend it again.
        await using var other = await fx.Browser.NewContextAsync();
        var second = await other.NewPageAsync();
        await second.GotoAsync(Url("/chat"));
        await Expect(second.Locator("#status")).ToHaveTextAsync("online");
        await second.FillAsync("#code", code);
        await second.ClickAsync("#link");
        await Expect(second.Locator(".msg.out")).ToHaveTextAsync("That code is not valid or has been used.");
    }
}
