using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Dialog;
using Switchboard.Dialog.Loading;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Dialog.Tests;

/// <summary>
/// The identity check: a flow marked <c>verify: true</c> asks the bot's secret code once; a check passed on one channel
/// is in the system metadata layer and is not repeated on another; wrong codes are refused; the code is tokenized.
/// The shipped airline bot (rebooking is <c>verify: true</c>) is copied to a temp folder with the section below instead of its own.
/// </summary>
public sealed class VerificationTests
{
    private const string Section = """
        verification:
          method: booking-pin
          prompt: "Before I change a booking I need to check it's you. What's the 4-digit PIN from your booking email?"
          reprompt: "The PIN is the 4 digits in your booking email."
          failed: "That PIN doesn't match."
          step: "checking it's you"
          digits: 4
          demo: "2468"
          lifetime: 12h

        """;

    private static readonly Lazy<BotRuntime> Bot = new(() => BotRuntime.LoadFolder(VerifyingAirline(new TempDirectory(), Section, "")));

    /// <summary>A copy of the shipped bots with <paramref name="section"/> (+ <paramref name="http"/>) as the airline's verification section.</summary>
    private static string VerifyingAirline(TempDirectory dir, string section, string http)
    {
        foreach (var bot in new[] { "airline", "autoservice" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir.Path, bot)).FullName;
            foreach (var f in Directory.EnumerateFiles(EngineHarness.BotsPath(bot))) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        }
        var flows = Path.Combine(dir.Path, "airline", "flows.yaml");
        var text = File.ReadAllText(flows);
        var start = text.IndexOf("verification:\n", StringComparison.Ordinal);
        var end = text.IndexOf("flows:\n", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the shipped airline bot has a verification section before its flows");
        Assert.Contains("    verify: true\n", text);
        File.WriteAllText(flows, text[..start] + section + http + "\n" + text[end..]);
        return Path.Combine(dir.Path, "airline");
    }

    [Fact]
    public async Task The_check_comes_first_and_a_passed_check_lets_the_flow_go_on()
    {
        var h = new EngineHarness(Bot.Value);
        var ask = await h.Say(Channel.WhatsApp, "I missed my connection");
        Assert.Contains("What's the 4-digit PIN", ask.Text);
        Assert.True(ask.Expect?.Secret, "the PIN question expects a secret (voice pauses the recording, the grain tokenizes digits)");
        Assert.Equal(DialogStepMarkers.Verify, h.Ephemeral.PendingSlot);

        var next = await h.Say(Channel.WhatsApp, "2468");

        Assert.Contains("What's your booking reference?", next.Text);
        Assert.True(h.System.Verification.Verified);
        Assert.Equal("booking-pin", h.System.Verification.Method);
        Assert.Equal(Channel.WhatsApp, h.System.Verification.Channel);
        Assert.Equal(h.Now, h.System.Verification.VerifiedAt);
        Assert.Equal([("{{otp:h1}}", "identity-verification")], h.Resolved);
    }

    [Fact]
    public async Task A_check_passed_on_whatsapp_is_not_asked_again_on_the_phone_until_it_expires()
    {
        var h = new EngineHarness(Bot.Value);
        await h.Say(Channel.WhatsApp, "I missed my connection");
        await h.Say(Channel.WhatsApp, "2468");
        foreach (var said in new[] { "AB12CD", "Mumbai", "tomorrow", "4 pm" }) await h.Say(Channel.WhatsApp, said);

        var onThePhone = await h.Say(Channel.Voice, "hello");
        Assert.Contains("on your WhatsApp chat. Let's finish that here.", onThePhone.Text);
        Assert.DoesNotContain("PIN", onThePhone.Text);
        var done = await h.Say(Channel.Voice, "yes");
        Assert.Equal("rebook", done.Completed?.Flow);

        h.Now = h.Now.AddHours(13); // past the bot's 12 h lifetime
        var later = await h.Say(Channel.Voice, "I missed my connection");
        Assert.Contains("What's the 4-digit PIN", later.Text);
    }

    [Fact]
    public async Task Wrong_codes_are_refused_and_too_many_hand_the_customer_to_a_person()
    {
        var h = new EngineHarness(Bot.Value);
        await h.Say(Channel.WhatsApp, "I missed my connection");

        var wrong = await h.Say(Channel.WhatsApp, "1357");
        Assert.StartsWith("That PIN doesn't match. The PIN is the 4 digits in your booking email.", wrong.Text);
        Assert.False(h.System.Verification.Verified);
        Assert.Equal(DialogStepMarkers.Verify, h.Ephemeral.PendingSlot);

        var again = await h.Say(Channel.WhatsApp, "24681"); // five digits: not a 4-digit PIN even though it starts right
        Assert.StartsWith("That PIN doesn't match.", again.Text);
        Assert.Equal(3, Bot.Value.Definition.Settings.MaxMisses); // the airline bot hands over at its third miss in a row
        var third = await h.Say(Channel.WhatsApp, "8642");
        Assert.Equal(ReplyActionKind.HandToAgent, third.Action?.Kind);
        Assert.False(h.System.Verification.Verified);
        Assert.Null(h.Ephemeral.ActiveFlow);
    }

    [Fact]
    public async Task Help_and_cancel_still_work_while_the_code_is_asked()
    {
        var h = new EngineHarness(Bot.Value);
        await h.Say(Channel.WhatsApp, "I missed my connection");
        var help = await h.Say(Channel.WhatsApp, "help");
        Assert.Contains("What's the 4-digit PIN", help.Text);
        var cancel = await h.Say(Channel.WhatsApp, "cancel");
        Assert.Null(h.Ephemeral.ActiveFlow);
        Assert.DoesNotContain("PIN", cancel.Text);
    }

    [Fact]
    public async Task With_a_backend_the_backend_decides_and_sees_the_digits()
    {
        var seen = new List<JsonElement>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var backend = builder.Build();
        backend.MapPost("/identity/check", async (HttpRequest r) =>
        {
            var body = await r.ReadFromJsonAsync<JsonElement>();
            lock (seen) seen.Add(body);
            return Results.Json(new { ok = body.GetProperty("code").GetString() == "9753" });
        });
        await backend.StartAsync();
        using var dir = new TempDirectory();
        var bot = BotRuntime.LoadFolder(VerifyingAirline(dir, Section, "  http: { path: /identity/check, timeout: 2s }\n\n"));
        var h = new EngineHarness(bot, new DialogEngineSettings { Backend = new Uri(backend.Urls.First()) });

        await h.Say(Channel.WhatsApp, "I missed my connection");
        var demoCode = await h.Say(Channel.WhatsApp, "2468"); // the demo code means nothing once a backend is configured
        Assert.StartsWith("That PIN doesn't match.", demoCode.Text);
        var right = await h.Say(Channel.WhatsApp, "9753");
        Assert.Contains("booking reference", right.Text);
        Assert.True(h.System.Verification.Verified);
        Assert.Equal(["2468", "9753"], seen.Select(b => b.GetProperty("code").GetString()));
        Assert.All(seen, b => Assert.Equal("booking-pin", b.GetProperty("method").GetString()));
    }

    [Theory]
    [InlineData("  digits: 4\n", "  digits: 12\n", "4 to 8 digits")]
    [InlineData("  demo: \"2468\"\n", "  demo: \"24\"\n", "verification.demo must be 4 to 4 digits")]
    [InlineData("  lifetime: 12h\n", "  lifetime: forever\n", "verification.lifetime 'forever'")]
    [InlineData("  step: \"checking it's you\"\n", "  step: \"checking {booking_ref}\"\n", "may only refer to persona.name and persona.brand")]
    [InlineData("verification:\n", "verificaton:\n", "unknown key 'verificaton'")]
    public void A_bad_verification_section_fails_with_its_line(string find, string replace, string reason)
    {
        using var dir = new TempDirectory();
        var folder = VerifyingAirline(dir, Section.Replace(find, replace, StringComparison.Ordinal), "");
        var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
        Assert.Contains(reason, e.Message);
        Assert.Equal("airline/flows.yaml", e.File);
    }

    [Fact]
    public void A_flow_that_needs_a_check_the_bot_does_not_define_fails_at_verify()
    {
        using var dir = new TempDirectory();
        var folder = VerifyingAirline(dir, "", "");
        var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
        Assert.Contains("flow 'rebook' asks for verification but the bot has no 'verification' section", e.Reason);
        Assert.Equal(File.ReadAllLines(Path.Combine(folder, "flows.yaml")).ToList().FindIndex(l => l.Trim() == "verify: true") + 1, e.Line);
    }

    [Fact]
    public async Task Through_the_real_grains_the_code_is_tokenized_audited_and_the_check_holds_on_the_phone()
    {
        // A random 8-digit PIN as the canary: it must appear in no transcript and no log line.
        var pin = (10_000_000 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(90_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var dir = new TempDirectory();
        VerifyingAirline(dir, Section.Replace("  digits: 4\n", "  digits: 8\n", StringComparison.Ordinal).Replace("\"2468\"", $"\"{pin}\"", StringComparison.Ordinal), "");
        await using var silo = await SiloApp.StartAsync(new Dictionary<string, string?> { ["Bots:Path"] = dir.Path });
        const string number = "919744400001";
        async Task<JsonElement> Turn(string channel, string address, string text)
        {
            var r = await silo.Http.PostAsJsonAsync("api/turns", new { channel, address, messageId = Guid.NewGuid().ToString("n"), text });
            r.EnsureSuccessStatusCode();
            return await r.Content.ReadFromJsonAsync<JsonElement>();
        }

        await Turn("whatsapp", number, "I missed my connection");
        var passed = await Turn("whatsapp", number, pin);
        var customer = passed.GetProperty("customerId").GetString()!;
        Assert.Contains("booking reference", passed.GetProperty("reply").GetProperty("text").GetString());
        foreach (var said in new[] { "AB12CD", "Mumbai", "tomorrow", "4 pm" }) await Turn("whatsapp", number, said);
        var call = await Turn("voice", "sip:+" + number + "@sbc", "hello");
        Assert.DoesNotContain("PIN", call.GetProperty("reply").GetProperty("text").GetString());
        Assert.Contains("Shall I confirm", call.GetProperty("reply").GetProperty("text").GetString());

        var view = await silo.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customer}");
        var verification = view.GetProperty("systemMetadata").GetProperty("verification");
        Assert.True(verification.GetProperty("verified").GetBoolean());
        Assert.Equal("booking-pin", verification.GetProperty("method").GetString());
        Assert.Equal("whatsapp", verification.GetProperty("channel").GetString());
        var transcript = await silo.Http.GetStringAsync($"api/customers/{customer}/transcript");
        Assert.DoesNotContain(pin, transcript);
        Assert.Contains("{{otp:", transcript);
        Assert.DoesNotContain(silo.Logs.Lines, l => l.Contains(pin, StringComparison.Ordinal));
    }
}
