using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Channels.Journeys;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Tests;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>
/// Journey traffic through the outbox dispatcher respects the tenant's capacity: a journey's messages leave at its share
/// of the channel's messages per minute while other traffic passes at once, and journey calls keep to the trunk's calls
/// per second and concurrent calls.
/// </summary>
public sealed class PacingTests : IDisposable
{
    private readonly TempDirectory _bots = new();

    public void Dispose() => _bots.Dispose();

    private void Rules(string capacity)
    {
        var journeys = Path.Combine(_bots.Path, "airline", "journeys");
        Directory.CreateDirectory(journeys);
        File.WriteAllText(Path.Combine(journeys, "rules.yaml"), $"""
            channelOrder: [whatsapp, rcs, sms]
            timeZone: UTC
            quietHours: none
            caps:
              - {"{"} purpose: "*", max: 100, per: 24h {"}"}
            capacity: {capacity}
            """);
    }

    private const string Broadcast = """
        journey: broadcast
        name: One touch each
        purpose: marketing
        steps:
          - id: touch
            send: { channel: whatsapp, message: "Paced touch for {{model}}." }
        """;

    [Fact]
    public async Task A_journeys_messages_leave_at_its_share_of_the_channel_while_other_messages_pass_at_once()
    {
        // 60 a minute on WhatsApp, half of it for journeys: this journey (the only one running) gets 30 a minute, one every 2 s.
        Rules("{ messagesPerMinute: 60, journeyShare: 0.5 }");
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm, new() { ["Bots:Path"] = _bots.Path }));
        const int n = 8;
        var customers = new List<string>();
        for (var i = 0; i < n + 1; i++)
        {
            var id = await JourneyEngine.CustomerWritesOnWhatsApp(silo, $"9198000006{10 + i}", $"wamid.pace.{i}", "hi");
            await JourneyEngine.Consent(silo, id, "whatsapp", "granted");
            customers.Add(id);
        }
        await JourneyEngine.Define(silo, "broadcast", Broadcast);
        var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/broadcast/enrolments",
            new { customers = customers.Take(n).Select(c => new { customerId = c, attributes = new Dictionary<string, string> { ["model"] = "Nexon" } }) });
        Assert.Equal(n, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        int Touches() => graph.Accepted.Count(r => r.Body.ToJsonString().Contains("Paced touch for Nexon."));

        // While the journey's messages are held, a message that is not a journey's (an operator's, as a reply would be) is not held behind them.
        await JourneyEngine.Until(() => Task.FromResult(Touches() >= 1), "the first journey message");
        var other = await silo.Http.PostAsJsonAsync("/api/outbox", new { customerId = customers[n], channel = "whatsapp", purpose = "marketing", text = "Your booking is confirmed." });
        Assert.True(other.IsSuccessStatusCode, await other.Content.ReadAsStringAsync());
        await JourneyEngine.Until(() => Task.FromResult(graph.To($"9198000006{10 + n}").Any(r => r.Body.ToJsonString().Contains("Your booking is confirmed."))), "the operator's message");
        var touchesWhenItLeft = Touches();
        Assert.True(touchesWhenItLeft < n, $"the operator's message waited for all {n} journey messages");

        await JourneyEngine.Until(() => Task.FromResult(Touches() == n), $"all {n} journey messages", seconds: 120);
        // When each left, from the timeline's delivery history (the outbox's own record of the provider's acceptance).
        var sentAt = new List<DateTimeOffset>();
        foreach (var c in customers.Take(n))
        {
            JsonNode? delivery = null;
            await JourneyEngine.Until(async () =>
            {
                var touch = (await JourneyEngine.Timeline(silo, "broadcast", c))["steps"]!.AsArray().Single(s => s!["outcome"]!.ToString() == "enqueued")!;
                delivery = touch["delivery"];
                return delivery?["status"]?.ToString() == "sent";
            }, "the timeline's delivery status says sent");
            sentAt.Add(delivery!["history"]!.AsArray().Single(h => h!["status"]!.ToString() == "sent")!["at"]!.GetValue<DateTimeOffset>());
        }
        sentAt.Sort();
        // One every 2 s with a burst of one: 8 messages need 14 s. Unpaced they leave within a fraction of a second.
        // Asserted as a lower bound with room for a loaded machine's jitter (only slowness could make it longer).
        var span = sentAt[^1] - sentAt[0];
        Assert.True(span >= TimeSpan.FromSeconds(11), $"{n} journey messages left within {span.TotalSeconds:0.00} s");
    }

    private const string Calls = """
        journey: recall-calls
        name: Recall calls
        purpose: transactional
        steps:
          - id: ring
            call: { reason: "a safety recall on your car" }
        """;

    private const string List = """
        journey: known
        name: Makes the customers known
        purpose: transactional
        steps:
          - id: hold
            wait: { for: 2h }
        """;

    [Fact]
    public async Task Journey_calls_keep_to_the_trunks_calls_per_second_and_concurrent_calls()
    {
        Rules("{ messagesPerMinute: 600, callsPerSecond: 2, concurrentCalls: 2 }");
        // The grains alone (no channels, so no dispatcher of the engine's own): the test runs the real dispatcher with the
        // journeys' pacing, and a stand-in for the SIP trunk that holds each call up for a while.
        await using var silo = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Role"] = "silo",
            ["Tenants:airline:DisplayName"] = "SkyWays",
            ["Tenants:airline:Default"] = "true",
            ["Bots:Enabled"] = "false",
            ["Bots:Path"] = _bots.Path,
        });
        const int n = 6;
        var phones = Enumerable.Range(0, n).Select(i => $"+9198000007{10 + i}").ToList();
        await JourneyEngine.Define(silo, "known", List);
        var known = await silo.Http.PostAsJsonAsync("/api/journeys/known/enrolments", new { customers = phones.Select(p => new { phone = p }) });
        Assert.Equal(n, (await known.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
        var customers = new List<string>();
        foreach (var p in phones)
        {
            var id = (await silo.Http.GetFromJsonAsync<JsonObject>($"/api/customers/resolve?channel=whatsapp&address={p.TrimStart('+')}"))!["customerId"]!.ToString();
            var consent = await silo.Http.PostAsJsonAsync($"/api/customers/{id}/consent",
                new { channel = "voice", purpose = "transactional", status = "granted", source = "test", evidence = "pacing-test" });
            consent.EnsureSuccessStatusCode();
            customers.Add(id);
        }

        var trunk = new TrunkStandIn(TimeSpan.FromMilliseconds(1500));
        var services = silo.App.Services;
        var grains = services.GetRequiredService<IGrainFactory>();
        var pacing = new JourneyPacing(grains, new JourneyPacingOptions(), TimeProvider.System, services, NullLogger<JourneyPacing>.Instance);
        var dispatcher = new OutboxDispatcher(grains, [trunk], [pacing], services.GetRequiredService<OutboxPolicy>(), new OutboxSignal(),
            new DispatcherOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, TimeProvider.System, NullLogger<OutboxDispatcher>.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await JourneyEngine.Define(silo, "recall-calls", Calls);
            var enrol = await silo.Http.PostAsJsonAsync("/api/journeys/recall-calls/enrolments", new { customers = customers.Select(c => new { customerId = c }) });
            Assert.Equal(n, (await enrol.Content.ReadFromJsonAsync<JsonObject>())!["enrolled"]!.GetValue<int>());
            await JourneyEngine.Until(() => Task.FromResult(trunk.Started.Count == n), $"all {n} calls placed", seconds: 90);
            // Each enrolment's timeline shows its call's outcome from the outbox: sent (answered).
            foreach (var c in customers)
                await JourneyEngine.Until(async () => (await JourneyEngine.Timeline(silo, "recall-calls", c))["steps"]!.AsArray()
                    .Any(s => s!["kind"]!.ToString() == "call" && s["delivery"]?["status"]?.ToString() == "sent"), "the call's delivery status");
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }

        // As the trunk saw them: never more than two up at once, and the six starts spread over at least two seconds
        // (two a second: 0, 0, 1, 1, 2, 2 at the soonest). A lower bound, so a slow machine cannot break it.
        Assert.InRange(trunk.MaxUp, 1, 2);
        var started = trunk.Started.Order().ToList();
        Assert.True(started[^1] - started[0] >= TimeSpan.FromSeconds(1.8), $"{n} calls started within {(started[^1] - started[0]).TotalSeconds:0.00} s");
        // As the pacer let them through (one clock): no three starts within any second.
        var starts = pacing.CallStarts.Select(s => s.At).Order().ToList();
        Assert.Equal(n, starts.Count);
        for (var i = 0; i + 2 < starts.Count; i++)
            Assert.True(starts[i + 2] - starts[i] >= TimeSpan.FromSeconds(1), $"three calls started within a second at {starts[i]:HH:mm:ss.fff}");
        Assert.InRange(pacing.MaxConcurrentCalls, 1, 2);
        Assert.All(pacing.CallStarts, s => Assert.Equal(("airline", "recall-calls"), (s.Tenant, s.Journey)));

    }

    /// <summary>The SIP trunk's side of journey calls: counts calls up at once, and holds each up for a while.</summary>
    private sealed class TrunkStandIn(TimeSpan callLength) : IOutboundChannel
    {
        private readonly Lock _lock = new();
        private readonly List<TimeSpan> _started = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _up;

        public int MaxUp { get; private set; }

        public IReadOnlyList<TimeSpan> Started { get { lock (_lock) return [.. _started]; } }

        public Channel Channel => Channel.Voice;

        public OutboundDelivery Delivery => OutboundDelivery.Dispatch;

        public string RecipientFor(string e164) => e164;

        public string ComposeText(string text) => text;

        public string? ComposeTemplate(string name, string language, IReadOnlyList<string> parameters) => null;

        public async Task<SendOutcome> SendAsync(OutboxEntry entry, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _started.Add(_clock.Elapsed);
                MaxUp = Math.Max(MaxUp, ++_up);
            }
            try
            {
                await Task.Delay(callLength, cancellationToken); // the call is up: the callee talks for a while
            }
            finally
            {
                lock (_lock) _up--;
            }
            return SendOutcome.Sent("call-" + Guid.NewGuid().ToString("n")[..8]);
        }
    }
}
