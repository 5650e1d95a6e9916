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
    private static int _nextRtpBase = 41_000 + Random.Shared.Next(0, 20) * 200;

    private AgentEngine(SiloApp app, int sipPort)
    {
        App = app;
        SipPort = sipPort;
    }

    public SiloApp App { get; }
    public int SipPort { get; }
    public HttpClient Http => App.Http;
    public VoiceAgentMetrics Metrics => App.App.Services.GetRequiredService<VoiceAgentMetrics>();
    public SpeechCallHandlerFactory Handlers => App.App.Services.GetRequiredService<SpeechCallHandlerFactory>();
    public Switchboard.Channels.Voice.Calls.VoiceSignaling Signaling => App.App.Services.GetRequiredService<Switchboard.Channels.Voice.Calls.VoiceSignaling>();

    public static async Task<AgentEngine> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var rtp = Interlocked.Add(ref _nextRtpBase, 200);
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtp.ToString(),
            ["Sip:RtpPortMax"] = (rtp + 199).ToString(),
            ["Sip:InterDigitTimeoutMs"] = "1500",
        };
        if (extra is not null)
            foreach (var (k, v) in extra) settings[k] = v;
        var app = await SiloApp.StartAsync(settings);
        var bound = await app.App.Services.GetRequiredService<SipListener>().Bound.WaitAsync(TimeSpan.FromSeconds(10));
        return new AgentEngine(app, bound.Port);
    }

    /// <summary>A WhatsApp message through the admin turn endpoint (the WhatsApp webhook lives on the messaging branch).</summary>
    public async Task<JsonElement> WhatsAppAsync(string number, string text)
    {
        var r = await Http.PostAsJsonAsync("api/turns", new { channel = "whatsapp", address = number, messageId = "wamid." + Guid.NewGuid().ToString("n"), text });
        r.EnsureSuccessStatusCode();
        return await r.Content.ReadFromJsonAsync<JsonElement>();
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

    /// <summary>The voice and speech log lines, for failure messages.</summary>
    public string VoiceLog => string.Join('\n', App.Logs.Lines.Where(l => l.Contains("Voice", StringComparison.Ordinal) || l.Contains("call", StringComparison.OrdinalIgnoreCase)).TakeLast(40));

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

public sealed record Turn(string Channel, string Direction, string Text)
{
    public override string ToString() => $"{Channel}/{Direction}: {Text}";
}
