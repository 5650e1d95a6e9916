using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.TestSupport;

namespace Switchboard.Voice.Tests;

/// <summary>The real engine (SiloApp) with the SIP listener on a free port and its own RTP port range.</summary>
public sealed class VoiceEngine : IAsyncDisposable
{
    private static int _nextRtpBase = 21_000 + Random.Shared.Next(0, 40) * 200;

    private VoiceEngine(SiloApp app, int sipPort)
    {
        App = app;
        SipPort = sipPort;
    }

    public SiloApp App { get; }
    public int SipPort { get; }
    public VoiceSignaling Signaling => App.App.Services.GetRequiredService<VoiceSignaling>();
    public IVoiceCalls Calls => App.App.Services.GetRequiredService<IVoiceCalls>();

    public static async Task<VoiceEngine> StartAsync(IDictionary<string, string?>? sip = null)
    {
        var rtp = Interlocked.Add(ref _nextRtpBase, 200);
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Port"] = "0",
            // Transport tests: recorded prompts and DTMF only, so prompt length never races the keyed digits; speech in calls is VoiceAgent.Tests' job.
            ["Speech:Recognizer"] = "none",
            ["Speech:Synthesizer"] = "none",
            ["Sip:RtpPortMin"] = rtp.ToString(),
            ["Sip:RtpPortMax"] = (rtp + 199).ToString(),
            ["Sip:InterDigitTimeoutMs"] = "2000",
        };
        if (sip is not null)
            foreach (var (k, v) in sip) settings[k] = v;
        var app = await SiloApp.StartAsync(settings);
        var bound = await app.App.Services.GetRequiredService<SipListener>().Bound.WaitAsync(TimeSpan.FromSeconds(10));
        return new VoiceEngine(app, bound.Port);
    }

    public async Task<string?> ResolveAsync(string channel, string address)
    {
        var r = await App.Http.GetAsync($"api/customers/resolve?channel={channel}&address={Uri.EscapeDataString(address)}");
        if (!r.IsSuccessStatusCode) return null;
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
    }

    public async Task<List<(string Channel, string Direction, string Text)>> TranscriptAsync(string customerId)
    {
        var json = await App.Http.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/transcript");
        return json.GetProperty("turns").EnumerateArray()
            .Select(t => (t.GetProperty("channel").GetString()!, t.GetProperty("direction").GetString()!, t.GetProperty("text").GetString()!))
            .ToList();
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes (the engine works asynchronously to sipp).</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null) =>
        Eventually.HoldsAsync(condition, within ?? TimeSpan.FromSeconds(15));

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
