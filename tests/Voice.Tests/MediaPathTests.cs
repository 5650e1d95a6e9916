using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;

namespace Switchboard.Voice.Tests;

/// <summary>The media path end to end: the greeting is heard as RTP audio, inbound audio reaches the per-call handler, call codes join a customer.</summary>
[Collection("sipp")]
public sealed class MediaPathTests
{
    [Fact]
    public async Task Greeting_is_spoken_as_pcmu_audio_and_keyed_digits_reach_the_media_handler()
    {
        var handlers = new RecordingHandlerFactory();
        await using var app = await StartAsync(b => b.Services.AddSingleton<ICallMediaHandlerFactory>(handlers));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var uac = new TestUac(app.SipPort, "+919800000010");
        await uac.CallAsync(deadline.Token);

        // The echo engine's greeting has no recording, so the prompt store plays its tone: non-silent PCMU.
        await uac.ReceiveRtpUntilAsync((pt, payload) => pt == 0 && payload.Span.ContainsAnyExcept((byte)0xFF), deadline.Token);

        await uac.SendAudioAsync(10, 0x80, deadline.Token);
        await uac.KeyAsync("42#", deadline.Token);
        var handler = await handlers.Created.Task.WaitAsync(deadline.Token);
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(handler.Frames >= 5 && handler.Digits.Count >= 3)),
            $"frames {handler.Frames}, digits {string.Join("", handler.Digits)}");
        Assert.Equal("42#", string.Concat(handler.Digits));
        Assert.Equal(160, handler.FrameLength);
        Assert.Equal(32124, handler.FirstSample); // 0x80 in mu-law
        Assert.Equal(uac.CallId, handler.Call!.CallId);
        await uac.ByeAsync(deadline.Token);
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(handler.Disposed)));
    }

    [Fact]
    public async Task Anonymous_caller_keying_a_call_code_joins_that_customer()
    {
        await using var app = await StartAsync();
        var grains = app.App.App.Services.GetRequiredService<IGrainFactory>();
        var ingress = grains.GetGrain<IConversationIngressGrain>(0);
        var tenant = app.App.App.Services.GetRequiredService<Switchboard.Tenancy.TenantDirectory>().Default.Id;
        var first = await ingress.Receive(new InboundTurn(tenant, Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, "919800000011"),
            "wamid.code-1", "call me", null, DateTimeOffset.UtcNow));
        var code = await ingress.IssueCallCode(tenant, first.CustomerId, TimeSpan.FromMinutes(10));

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var uac = new TestUac(app.SipPort, "anonymous");
        await uac.CallAsync(deadline.Token);
        await uac.KeyAsync("*" + code + "#", deadline.Token);

        Assert.True(await VoiceEngine.EventuallyAsync(async () =>
            await ingress.Resolve(tenant, new ChannelAddress(AddressKind.SipCallId, uac.CallId)) == first.CustomerId));
        Assert.True(await VoiceEngine.EventuallyAsync(async () =>
            (await app.TranscriptAsync(first.CustomerId)).Any(t => t.Channel == "voice" && t.Direction == "inbound")));
        await uac.ByeAsync(deadline.Token);
    }

    [Fact]
    public async Task Session_token_in_the_invite_binds_an_anonymous_call_to_the_customer()
    {
        await using var app = await StartAsync();
        var post = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(app.App.Http, "api/turns",
            new { channel = "whatsapp", address = "919800000012", messageId = "wamid.token-1", text = "call me" });
        post.EnsureSuccessStatusCode();
        var customer = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(post.Content)).GetProperty("customerId").GetString()!;
        var issued = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(app.App.Http, $"api/customers/{customer}/session-tokens", new { purpose = "join", lifetimeMinutes = 10 });
        issued.EnsureSuccessStatusCode();
        var token = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(issued.Content)).GetProperty("token").GetString()!;

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var uac = new TestUac(app.SipPort, "anonymous");
        await uac.CallAsync(deadline.Token, new Switchboard.Telephony.Sip.SipHeader(VoiceSignaling.SessionTokenHeader, token));
        Assert.True(await VoiceEngine.EventuallyAsync(async () =>
            (await app.TranscriptAsync(customer)).Any(t => t.Channel == "voice" && t.Direction == "inbound")));
        await uac.ByeAsync(deadline.Token);
    }

    private static async Task<VoiceEngineWithConfigure> StartAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) =>
        await VoiceEngineWithConfigure.StartAsync(configure);

    private sealed class RecordingHandlerFactory : ICallMediaHandlerFactory
    {
        public TaskCompletionSource<RecordingHandler> Created { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ICallMediaHandler? Create(ICallSession call)
        {
            var handler = new RecordingHandler { Call = call };
            Created.TrySetResult(handler);
            return handler;
        }
    }

    private sealed class RecordingHandler : ICallMediaHandler
    {
        private int _frames;
        public ICallSession? Call { get; init; }
        public int Frames => Volatile.Read(ref _frames);
        public int FrameLength { get; private set; }
        public short FirstSample { get; private set; }
        public ConcurrentQueue<char> Digits { get; } = new();
        public bool Disposed { get; private set; }

        public void OnAudioFrame(ReadOnlySpan<short> pcm20Ms)
        {
            if (Interlocked.Increment(ref _frames) == 1)
            {
                FrameLength = pcm20Ms.Length;
                FirstSample = pcm20Ms[0];
            }
        }

        public void OnDigit(char digit) => Digits.Enqueue(digit);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A <see cref="VoiceEngine"/>-like start that also lets a test register services.</summary>
public sealed class VoiceEngineWithConfigure : IAsyncDisposable
{
    private VoiceEngineWithConfigure(SiloApp app, int sipPort)
    {
        App = app;
        SipPort = sipPort;
    }

    public SiloApp App { get; }
    public int SipPort { get; }

    public static async Task<VoiceEngineWithConfigure> StartAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure)
    {
        var rtp = 35_000 + Random.Shared.Next(0, 20) * 200;
        var app = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Sip:Port"] = "0",
            // Transport tests: recorded prompts and DTMF only, so prompt length never races the keyed digits; speech in calls is VoiceAgent.Tests' job.
            ["Speech:Recognizer"] = "none",
            ["Speech:Synthesizer"] = "none",
            ["Sip:RtpPortMin"] = rtp.ToString(),
            ["Sip:RtpPortMax"] = (rtp + 199).ToString(),
        }, configure: configure);
        var bound = await app.App.Services.GetRequiredService<Switchboard.Channels.Voice.SipListener>().Bound.WaitAsync(TimeSpan.FromSeconds(10));
        return new VoiceEngineWithConfigure(app, bound.Port);
    }

    public async Task<List<(string Channel, string Direction, string Text)>> TranscriptAsync(string customerId)
    {
        var json = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(App.Http, $"api/customers/{customerId}/transcript");
        return json.GetProperty("turns").EnumerateArray()
            .Select(t => (t.GetProperty("channel").GetString()!, t.GetProperty("direction").GetString()!, t.GetProperty("text").GetString()!))
            .ToList();
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
