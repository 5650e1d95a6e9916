using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.TestSupport;
using Switchboard.Voice.Tests;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>Three silos with the Orleans dashboard and one gateway, as separate processes on a real redis-server.</summary>
public sealed class DashboardClusterFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(3, 1, ClusterSettings.Base(dashboard: true));

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// What the cluster shows and does across the process boundary: the dashboard's own data endpoint sees the load on every
/// silo, and a WhatsApp conversation continues on a phone call that reaches the same customer through the gateway.
/// </summary>
[Collection("cluster")]
public sealed class DashboardAndSwitchTests(DashboardClusterFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardClusterFixture>
{
    [Fact]
    public async Task The_dashboard_data_endpoint_shows_grain_calls_and_activations_on_every_silo_under_webhook_load()
    {
        var cluster = fixture.Cluster;
        var gateway = cluster.Gateways[0].Http;
        var round = 0;
        // 40 customers: with random placement over 3 silos each silo holds some (the chance one holds none is ~1e-7).
        async Task WriteAsync()
        {
            var r = round++;
            await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
            {
                using var posted = await WhatsAppWebhookPost.PostSignedAsync(gateway,
                    WhatsAppWebhookPost.Text($"91981500{c:D4}", $"wamid.dashboard.{c}.{r}", $"hello {r}"), ClusterSettings.AppSecret);
                Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            });
        }

        // The dashboard's page polls /dashboard/DashboardCounters; it sits behind the admin key (any user name, the key as password).
        using var dashboard = new HttpClient { BaseAddress = cluster.Silos[0].BaseAddress };
        dashboard.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + SiloApp.AdminKey)));
        JsonElement counters = default;
        Dictionary<string, (int Activations, long Calls)> perSilo = [];
        int customerActivations = 0;
        long customerCalls = 0;
        // The dashboard profiles grain calls only while someone watches (its first query switches profiling on in every
        // silo): so the test watches, as an operator would, and writes while it does.
        var seen = await Eventually.HoldsAsync(async () =>
        {
            await WriteAsync();
            using var response = await dashboard.GetAsync("dashboard/DashboardCounters");
            if (!response.IsSuccessStatusCode) return false;
            counters = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            var active = counters.GetProperty("hosts").EnumerateArray().Where(h => h.GetProperty("status").GetString() == "Active")
                .Select(h => h.GetProperty("siloAddress").GetString()!).ToList();
            perSilo = active.ToDictionary(a => a, a =>
            {
                var stats = counters.GetProperty("simpleGrainStats").EnumerateArray()
                    .Where(s => s.GetProperty("siloAddress").GetString() == a && s.GetProperty("grainType").GetString()!.StartsWith("Switchboard.", StringComparison.Ordinal)).ToList();
                return (stats.Sum(s => s.GetProperty("activationCount").GetInt32()), stats.Sum(s => s.GetProperty("totalCalls").GetInt64()));
            });
            var customerGrains = counters.GetProperty("simpleGrainStats").EnumerateArray()
                .Where(s => s.GetProperty("grainType").GetString()!.EndsWith(".CustomerGrain", StringComparison.Ordinal)).ToList();
            customerActivations = customerGrains.Sum(s => s.GetProperty("activationCount").GetInt32());
            customerCalls = customerGrains.Sum(s => s.GetProperty("totalCalls").GetInt64());
            // A round of 40 turns is at least 40 calls to customer grains once profiling is on.
            return active.Count == 3 && perSilo.Values.All(v => v is { Activations: > 0, Calls: > 0 }) && customerActivations >= 40 && customerCalls >= 40;
        }, TimeSpan.FromSeconds(90));
        foreach (var (silo, (activations, calls)) in perSilo) output.WriteLine($"dashboard: silo {silo}: {activations} Switchboard activations, {calls} grain calls");
        output.WriteLine($"dashboard: customer grains: {customerActivations} activations, {customerCalls} calls");
        Assert.True(seen, "the dashboard did not show activations and grain calls on each of the 3 silos, and the customers' activations and calls: " + counters);
    }

    [Fact]
    public async Task A_whatsapp_conversation_continues_on_a_call_through_separate_gateway_and_silo_processes()
    {
        var cluster = fixture.Cluster;
        const string number = "919811100012";
        var gateway = cluster.Gateways[0].Http;
        var silo = cluster.Silos[1].Http;
        var turn = 0;
        foreach (var said in new[] { "I missed my connection", "2468", "AB12CD", "Mumbai", "tomorrow", "4 pm" })
        {
            using var posted = await WhatsAppWebhookPost.PostSignedAsync(gateway, WhatsAppWebhookPost.Text(number, $"wamid.switch.{turn++}", said), ClusterSettings.AppSecret);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        var customer = await Transcripts.ResolveAsync(silo, "whatsapp", number);
        Assert.NotNull(customer);
        var chat = await Transcripts.ReadAsync(silo, customer);
        Assert.Equal(6, chat.Count(t => t is { Channel: "whatsapp", Direction: "inbound" }));
        Assert.Contains("Shall I confirm", chat.Last(t => t is { Channel: "whatsapp", Direction: "outbound" }).Text);

        // The call goes to the gateway's SIP port; the gateway's voice agent reaches the customer grain on a silo.
        using var call = new TestUac(cluster.GatewaySipPorts[0], "+" + number);
        using (var setup = new CancellationTokenSource(TimeSpan.FromSeconds(30))) await call.CallAsync(setup.Token);
        List<Transcripts.Turn> turns = [];
        var resumed = await Eventually.HoldsAsync(async () =>
        {
            turns = await Transcripts.ReadAsync(silo, customer);
            return turns.Any(t => t.Channel == "voice" && t.Direction == "outbound"
                && t.Text.Contains("I see we were verifying the 4:00 PM flight to Mumbai on your WhatsApp chat.", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(60));
        Assert.True(resumed, "the call did not resume the WhatsApp conversation; transcript: " + string.Join(" | ", turns));
        Assert.Equal(customer, await Transcripts.ResolveAsync(silo, "voice", "+" + number));
        foreach (var asked in new[] { "PIN", "booking reference?", "Where are you flying", "Which day", "Which one suits you" })
            Assert.DoesNotContain(turns, t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains(asked, StringComparison.Ordinal));
        using var bye = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await call.ByeAsync(bye.Token);
    }
}
