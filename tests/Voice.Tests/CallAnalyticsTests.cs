using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Switchboard.Voice.Tests;

/// <summary>
/// A real SIP call (sipp: INVITE, 2 s of media, BYE) reaches the analytics store: the call's answered and completed
/// events become voice minutes in the report and a voice conversation, and the caller's number appears nowhere in the
/// report, its CSV exports, the Prometheus scrape or the DuckDB file.
/// </summary>
[Collection("sipp")]
public sealed class CallAnalyticsTests : IAsyncLifetime
{
    private VoiceEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await VoiceEngine.StartAsync();

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_sip_call_is_stored_as_voice_minutes_and_a_voice_conversation_without_the_callers_number()
    {
        var digits = "9198" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999);
        var result = await Sipp.RunAsync("uac_call_2s.xml", _engine.SipPort, caller: "+" + digits);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(_engine.Calls.ActiveCalls == 0)), "the call is still up after BYE");

        var tenants = (await _engine.App.Http.GetFromJsonAsync<JsonElement>("api/analytics/tenants"))
            .EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.NotEmpty(tenants);
        // The writer commits in batches, and the call's events and its turns' events may land in different ones: wait
        // until some tenant's report holds the completed call's minutes and, beside its turns, both of the call's events.
        var reports = new Dictionary<string, JsonElement>();
        var stored = await VoiceEngine.EventuallyAsync(async () =>
        {
            foreach (var tenant in tenants)
                reports[tenant] = await _engine.App.Http.GetFromJsonAsync<JsonElement>($"api/analytics/report?tenant={tenant}");
            return reports.Values.Any(r => VoiceMinutes(r) > 0 && Events(r) >= Turns(r) + 2);
        }, TimeSpan.FromSeconds(60));
        Assert.True(stored, $"no voice minutes in any report: {string.Join(" | ", reports.Values)}");

        var (callTenant, report) = reports.Single(r => VoiceMinutes(r.Value) > 0);
        // Answered to BYE: sipp holds the call for 2 s after the ACK; well under its 40 s scenario timeout.
        var seconds = VoiceMinutes(report) * 60;
        Assert.InRange(seconds, 1.9, 40);
        var voice = report.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "voice");
        Assert.Equal(1, voice.GetProperty("conversations").GetInt64());
        Assert.True(voice.GetProperty("turns").GetInt64() >= 1, voice.ToString());
        // The call's own events (answered, completed) are counted beside its turns.
        Assert.True(Events(report) >= voice.GetProperty("turns").GetInt64() + 2, report.ToString());

        // The caller's number, with or without the country code, is nowhere analytics shows or keeps.
        var shown = new List<(string Where, string Text)> { ("report", report.ToString()) };
        foreach (var chart in new[] { "overview", "channels", "roi", "escalation", "series" })
            shown.Add(($"{chart}.csv", await _engine.App.Http.GetStringAsync($"api/analytics/export/{chart}.csv?tenant={callTenant}")));
        shown.Add(("/metrics", await _engine.App.Http.GetStringAsync("metrics")));
        foreach (var file in Directory.EnumerateFiles(_engine.App.StorePath, "analytics.duckdb*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            shown.Add((Path.GetFileName(file), System.Text.Encoding.Latin1.GetString(copy.ToArray())));
        }
        Assert.Contains(shown, s => s.Where.StartsWith("analytics.duckdb", StringComparison.Ordinal));
        foreach (var (where, text) in shown)
        {
            Assert.DoesNotContain(digits, text);
            Assert.DoesNotContain(digits[2..], text);
        }
    }

    private static double VoiceMinutes(JsonElement report) => report.GetProperty("roi").GetProperty("voiceMinutes").GetDouble();

    private static long Events(JsonElement report) => report.GetProperty("overview").GetProperty("events").GetInt64();

    private static long Turns(JsonElement report) => report.GetProperty("overview").GetProperty("turns").GetInt64();
}
