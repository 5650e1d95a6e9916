using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Agent;
using Switchboard.TestSupport;

namespace Switchboard.VoiceAgent.Tests;

[CollectionDefinition("sipp", DisableParallelization = true)]
public sealed class SippCollection;

/// <summary>The real engine (SiloApp) with the SIP listener on a free port, speech on, and admin API helpers.</summary>
public sealed class AgentEngine : IAsyncDisposable
{
    /// <summary>The WhatsApp app secret the engine checks webhook signatures with.</summary>
    public const string WhatsAppAppSecret = "voice-agent-tests-app-secret";

    private static int _nextRtpBase = 41_000 + Random.Shared.Next(0, 20) * 200;

    private AgentEngine(SiloApp app, int sipPort, DirectoryInfo? recordings)
    {
        App = app;
        SipPort = sipPort;
        _recordings = recordings;
    }

    private readonly DirectoryInfo? _recordings;

    /// <summary>The recordings folder (<c>VoiceAgent:RecordingsPath</c>) when started with <c>recordings: true</c>; deleted on dispose.</summary>
    public string RecordingsPath => _recordings?.FullName ?? throw new InvalidOperationException("This engine was started without recordings.");

    /// <summary>Every file under the recordings folder matching <paramref name="pattern"/>.</summary>
    public string[] RecordingFiles(string pattern) => Directory.GetFiles(RecordingsPath, pattern, SearchOption.AllDirectories);

    public SiloApp App { get; }
    public int SipPort { get; }
    public HttpClient Http => App.Http;
    public VoiceAgentMetrics Metrics => App.App.Services.GetRequiredService<VoiceAgentMetrics>();
    public SpeechCallHandlerFactory Handlers => App.App.Services.GetRequiredService<SpeechCallHandlerFactory>();
    public Switchboard.Channels.Voice.Calls.VoiceSignaling Signaling => App.App.Services.GetRequiredService<Switchboard.Channels.Voice.Calls.VoiceSignaling>();

    /// <param name="recordings">Record calls into a fresh temporary folder (consent is asked at the start of every call).</param>
    public static async Task<AgentEngine> StartAsync(IDictionary<string, string?>? extra = null, bool recordings = false)
    {
        var folder = recordings ? Directory.CreateTempSubdirectory("recordings-") : null;
        var rtp = Interlocked.Add(ref _nextRtpBase, 200);
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtp.ToString(),
            ["Sip:RtpPortMax"] = (rtp + 199).ToString(),
            ["Sip:InterDigitTimeoutMs"] = "1500",
            ["WhatsApp:AppSecret"] = WhatsAppAppSecret,
        };
        if (folder is not null) settings["VoiceAgent:RecordingsPath"] = folder.FullName;
        if (extra is not null)
            foreach (var (k, v) in extra) settings[k] = v;
        var app = await SiloApp.StartAsync(settings);
        var bound = await app.App.Services.GetRequiredService<SipListener>().Bound.WaitAsync(TimeSpan.FromSeconds(10));
        return new AgentEngine(app, bound.Port, folder);
    }

    /// <summary>
    /// A WhatsApp text message as Meta delivers it: a Cloud API webhook POST signed with the app secret. The engine answers
    /// 200 once the turn ran and its reply is in the outbox.
    /// </summary>
    public async Task SignedWhatsAppAsync(string number, string text)
    {
        var json = WhatsAppWebhookPost.Text(number, "wamid." + Guid.NewGuid().ToString("n"), text);
        var response = await WhatsAppWebhookPost.PostSignedAsync(Http, json, WhatsAppAppSecret);
        Assert.True(response.IsSuccessStatusCode, $"the webhook was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// A WhatsApp-channel turn through the admin turn endpoint (<c>POST /api/turns</c>): a quick set-up for tests about
    /// the call itself. The story test uses <see cref="SignedWhatsAppAsync"/>, the way Meta delivers messages.
    /// </summary>
    public async Task<JsonElement> WhatsAppAsync(string number, string text)
    {
        var r = await Http.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = number, messageId = "wamid." + Guid.NewGuid().ToString("n"), text });
        r.EnsureSuccessStatusCode();
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The outbox listing (<c>GET /api/outbox</c>) for one channel.</summary>
    public async Task<List<JsonElement>> OutboxAsync(string channel)
    {
        var json = await Http.GetFromJsonAsync<JsonElement>($"api/outbox?channel={channel}&limit=1000");
        return [.. json.GetProperty("messages").EnumerateArray()];
    }

    public async Task<string?> ResolveAsync(string channel, string address)
    {
        var r = await Http.GetAsync($"api/customers/resolve?channel={channel}&address={Uri.EscapeDataString(address)}");
        if (!r.IsSuccessStatusCode) return null;
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
    }

    public async Task<List<Turn>> TranscriptAsync(string customerId)
    {
        var json = await Http.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/transcript");
        return json.GetProperty("turns").EnumerateArray()
            .Select(t => new Turn(t.GetProperty("channel").GetString()!, t.GetProperty("direction").GetString()!, t.GetProperty("text").GetString()!))
            .ToList();
    }

    public Task<JsonElement> CustomerAsync(string customerId) => Http.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}");

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes (the engine answers asynchronously to sipp).</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null) =>
        Eventually.HoldsAsync(condition, within ?? TimeSpan.FromSeconds(20));

    /// <summary>
    /// Waits until the caller is a known customer whose transcript has a turn matching <paramref name="until"/>; returns
    /// whether it came and the transcript as last read (for the test's other checks and its failure message).
    /// </summary>
    public async Task<(bool Heard, List<Turn> Turns)> TranscriptUntilAsync(string caller, Func<Turn, bool> until)
    {
        string? customer = null;
        List<Turn> turns = [];
        var heard = await EventuallyAsync(async () =>
        {
            customer ??= await ResolveAsync("phone", caller);
            if (customer is null) return false;
            turns = await TranscriptAsync(customer);
            return turns.Any(until);
        });
        return (heard, turns);
    }

    /// <summary>The voice and speech log lines, for failure messages.</summary>
    public string VoiceLog => string.Join('\n', App.Logs.Lines.Where(l => l.Contains("Voice", StringComparison.Ordinal) || l.Contains("call", StringComparison.OrdinalIgnoreCase) || l.Contains("confirmation", StringComparison.OrdinalIgnoreCase)).TakeLast(40));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _recordings?.Delete(true);
    }
}

public sealed record Turn(string Channel, string Direction, string Text)
{
    public override string ToString() => $"{Channel}/{Direction}: {Text}";
}
