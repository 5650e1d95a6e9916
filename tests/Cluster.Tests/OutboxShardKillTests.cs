using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Silo.Hosting;
using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// The silo holding the outbox shard SIGKILLed while the gateways' replies are being sent (3 silos, 2 gateways, real
/// redis-server, real processes). Every WhatsApp reply is recorded in one shard (<c>Outbox:Shards=1</c>); the Graph API
/// stand-in holds the first wave's sends open, the silo hosting the shard (asked of the cluster's management grain) is
/// killed, the sends are answered, and a second wave is written after the kill. Each acknowledged message's reply reaches
/// the provider exactly once and is recorded in the shard once, as sent (so a later resume does not send it again): the
/// gateways made their shard and hand-off calls again on the survivor that re-activated the shard
/// (<c>Channels/Outbox/OutboxCalls</c>). Before that, the record went to the dead silo, failed, and the reply was left
/// pending with its customer, to be sent a second time by the next gateway start.
/// </summary>
[Collection("cluster")]
public sealed class OutboxShardKillTests(ITestOutputHelper output)
{
    private const int PerWave = 12;
    private const string Shard = "whatsapp/0";

    private static string Number(int wave, int customer) => $"91987{wave}{customer:D6}";
    private static string MessageId(int wave, int customer) => $"wamid.outbox.{wave}.{customer:D3}";

    [Fact]
    public async Task Replies_being_sent_when_the_silo_holding_their_outbox_shard_is_killed_reach_the_provider_exactly_once()
    {
        await using var graph = await GraphApiStandIn.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(0, 0, Settings(graph));
        // Silo ports pinned, to tell which process the management grain names.
        var siloPorts = SiloPorts(3);
        cluster.Silos.AddRange(await Task.WhenAll(siloPorts.Select(p =>
            cluster.StartSiloAsync(new Dictionary<string, string?> { ["Orleans:SiloPort"] = p.ToString() }))));
        for (var i = 0; i < 2; i++) cluster.Gateways.Add(await cluster.StartGatewayAsync());
        var gateways = cluster.Gateways.Select(g => g.Http).ToList();

        // Warm-up: one reply sent and recorded, so the shard is active on some silo.
        Assert.True(await PostUntilAcknowledgedAsync(gateways, 0, 0), "the warm-up message was not acknowledged");
        Assert.True(await Eventually.HoldsAsync(async () => (await RecordedAsync(gateways[0], 0, 0)).Count > 0, TimeSpan.FromSeconds(90)),
            "the warm-up reply was not recorded in the outbox");
        var hostPort = await ShardHostPortAsync(cluster);
        var victim = cluster.Silos[siloPorts.IndexOf(hostPort)];
        output.WriteLine($"outbox shard {Shard} is on the silo with port {hostPort} (pid {victim.Pid})");

        // Wave 1: acknowledged, and each reply's send held open at the provider.
        graph.Hold();
        var wave1 = await Task.WhenAll(Enumerable.Range(0, PerWave).Select(c => PostUntilAcknowledgedAsync(gateways, 1, c)));
        Assert.All(wave1, Assert.True);
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(Enumerable.Range(0, PerWave).All(c => graph.HeldFor.GetValueOrDefault(Number(1, c)) > 0)),
            TimeSpan.FromSeconds(90)), $"not every wave-1 reply reached the provider: {graph.Holding} held");

        var killed = Stopwatch.GetTimestamp();
        victim.Kill();
        output.WriteLine($"SIGKILLed pid {victim.Pid} with {graph.Holding} sends held open");
        graph.Release();

        // Wave 2, written after the kill (a post the cluster cannot take yet is answered 503 and posted again, as Meta does).
        var wave2 = await Task.WhenAll(Enumerable.Range(0, PerWave).Select(c => PostUntilAcknowledgedAsync(gateways, 2, c)));
        Assert.All(wave2, Assert.True);

        List<(int Wave, int Customer)> acknowledged = [.. Enumerable.Range(0, PerWave).SelectMany(c => new[] { (1, c), (2, c) })];
        var survivor = gateways[0];
        var done = await Eventually.HoldsAsync(async () =>
        {
            var listing = await ListingAsync(survivor);
            return acknowledged.All(a =>
            {
                var parts = Parts(listing, a.Wave, a.Customer);
                return parts.Count > 0 && parts.All(p => p.Status == "sent") && graph.Sent.Count(s => s.To == Number(a.Wave, a.Customer)) >= parts.Count;
            });
        }, TimeSpan.FromSeconds(120));
        output.WriteLine($"every reply sent and recorded {Stopwatch.GetElapsedTime(killed).TotalSeconds:F1} s after the kill (or the wait gave up: {!done})");

        var problems = await ExactlyOnceProblemsAsync(survivor, graph, acknowledged);
        var (retries, deferrals) = OutboxCallLines(cluster);
        output.WriteLine($"acknowledged messages {acknowledged.Count}; provider messages {graph.Sent.Count} (warm-up included); " +
                         $"outbox calls made again by the gateways {retries}, deferred {deferrals}; problems {problems.Count}");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        // The kill met the replies in flight: their records went to the dead silo first and were made again.
        Assert.True(retries > 0, "no gateway made an outbox call again: the kill met no reply in flight");
    }

    [Fact]
    public async Task Replies_sent_while_no_silo_is_reachable_are_deferred_then_recorded_once_and_outbox_sends_get_503_with_retry_after()
    {
        await using var graph = await GraphApiStandIn.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(0, 0, Settings(graph));
        // The silo's port pinned: its replacement starts on the same address (as a restarted pod or service does), which
        // tells the membership at once that the killed one is dead (a lone survivor cannot gather votes).
        var siloPort = new Dictionary<string, string?> { ["Orleans:SiloPort"] = SiloPorts(1)[0].ToString() };
        cluster.Silos.Add(await cluster.StartSiloAsync(siloPort));
        cluster.Gateways.Add(await cluster.StartGatewayAsync());
        var gateway = cluster.Gateways[0].Http;
        Assert.True(await PostUntilAcknowledgedAsync([gateway], 0, 0), "the warm-up message was not acknowledged");
        Assert.True(await Eventually.HoldsAsync(async () => (await RecordedAsync(gateway, 0, 0)).Count > 0, TimeSpan.FromSeconds(90)),
            "the warm-up reply was not recorded in the outbox");
        var warmUp = (await ListingAsync(gateway)).First(p => p.Key.Contains(MessageId(0, 0), StringComparison.Ordinal));

        graph.Hold();
        var wave = await Task.WhenAll(Enumerable.Range(0, PerWave).Select(c => PostUntilAcknowledgedAsync([gateway], 3, c)));
        Assert.All(wave, Assert.True);
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(Enumerable.Range(0, PerWave).All(c => graph.HeldFor.GetValueOrDefault(Number(3, c)) > 0)),
            TimeSpan.FromSeconds(90)), $"not every reply reached the provider: {graph.Holding} held");

        // The only silo SIGKILLed; the provider then takes every held reply: none of their records can land anywhere.
        cluster.Silos[0].Kill();
        graph.Release();
        output.WriteLine($"SIGKILLed the only silo (pid {cluster.Silos[0].Pid}); released the held sends");
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(OutboxCallLines(cluster).Deferrals >= PerWave), TimeSpan.FromSeconds(90)),
            $"the gateway did not log a deferral for every reply sent while no silo was reachable: {OutboxCallLines(cluster)}");

        // An operator's send meanwhile: a clear 503 with Retry-After, nothing enqueued.
        using (var send = await gateway.PostAsJsonAsync("api/outbox", new
               {
                   tenant = warmUp.Tenant, customerId = warmUp.CustomerId, channel = "whatsapp", purpose = "transactional", text = "Your booking is confirmed.", idempotencyKey = "no-silo-1",
               }))
        {
            var body = await send.Content.ReadAsStringAsync();
            Assert.True(send.StatusCode == HttpStatusCode.ServiceUnavailable, $"an outbox send with no silo reachable was answered {(int)send.StatusCode}: {body}");
            Assert.NotNull(send.Headers.RetryAfter);
            Assert.Contains("cluster-unavailable", body);
        }

        // The silo is back: the deferred records and hand-offs land, each once, and nothing was sent twice.
        var back = Stopwatch.GetTimestamp();
        cluster.Silos.Add(await cluster.StartSiloAsync(siloPort));
        List<(int Wave, int Customer)> acknowledged = [(0, 0), .. Enumerable.Range(0, PerWave).Select(c => (3, c))];
        var done = await Eventually.HoldsAsync(async () =>
        {
            var listing = await ListingAsync(gateway);
            return acknowledged.All(a => Parts(listing, a.Wave, a.Customer) is { Count: > 0 } parts && parts.All(p => p.Status == "sent"));
        }, TimeSpan.FromSeconds(120));
        output.WriteLine($"every deferred reply recorded {Stopwatch.GetElapsedTime(back).TotalSeconds:F1} s after the new silo was started (or the wait gave up: {!done})");
        var problems = await ExactlyOnceProblemsAsync(gateway, graph, acknowledged);
        var (retries, deferrals) = OutboxCallLines(cluster);
        output.WriteLine($"outbox calls made again {retries}, deferred {deferrals}; problems {problems.Count}");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.DoesNotContain(await ListingAsync(gateway), p => p.Key == "api:no-silo-1");
    }

    private static Dictionary<string, string?> Settings(GraphApiStandIn graph)
    {
        var settings = ClusterSettings.Base();
        settings["WhatsApp:AccessToken"] = GraphApiStandIn.AccessToken;
        settings["WhatsApp:ApiBaseUrl"] = graph.Url;
        // A held send is answered when the test releases it, never timed out by the gateway (that would be an ambiguous send).
        settings["WhatsApp:SendTimeout"] = "00:03:00";
        // One WhatsApp shard: every reply is recorded in whatsapp/0, so killing its silo meets every reply in flight.
        settings["Outbox:Shards"] = "1";
        // The gateways log each outbox call they make again (Information) and each deferral (Warning).
        settings["Logging:LogLevel:Switchboard.Channels.Outbox.OutboxCalls"] = "Information";
        return settings;
    }

    /// <summary>Outbox calls the gateways made again, and writes they deferred, as their logs say.</summary>
    private static (int Retries, int Deferrals) OutboxCallLines(LocalCluster cluster)
    {
        var lines = Directory.GetFiles(cluster.LogFolder, "gateway*.log").SelectMany(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(stream).ReadToEnd().Split('\n');
        }).ToList();
        return (lines.Count(l => l.Contains("making it again", StringComparison.Ordinal)),
                lines.Count(l => l.Contains("deferred: the cluster or its store did not answer", StringComparison.Ordinal)));
    }

    /// <summary>Posts the signed webhook, alternating gateways, until one answers 200 having handled it (as Meta redelivers), for at most 90 s.</summary>
    private static async Task<bool> PostUntilAcknowledgedAsync(IReadOnlyList<HttpClient> gateways, int wave, int customer)
    {
        var json = WhatsAppWebhookPost.Text(Number(wave, customer), MessageId(wave, customer), "hello");
        var deadline = Stopwatch.GetTimestamp() + 90 * Stopwatch.Frequency;
        for (var attempt = customer; Stopwatch.GetTimestamp() < deadline; attempt++)
        {
            try
            {
                using var response = await WhatsAppWebhookPost.PostSignedAsync(gateways[attempt % gateways.Count], json, ClusterSettings.AppSecret);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    if (body.RootElement.GetProperty("messages").GetInt32() == 1) return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            // A webhook sender's retry interval, not synchronisation.
            await Task.Delay(200);
        }
        return false;
    }

    /// <summary>Each acknowledged message's reply is recorded once per part, as sent, and the provider got each part once.</summary>
    private static async Task<List<string>> ExactlyOnceProblemsAsync(HttpClient gateway, GraphApiStandIn graph, List<(int Wave, int Customer)> acknowledged)
    {
        var final = await ListingAsync(gateway);
        var problems = new List<string>();
        foreach (var (wave, customer) in acknowledged)
        {
            var parts = Parts(final, wave, customer);
            var sent = graph.Sent.Where(s => s.To == Number(wave, customer)).ToList();
            if (parts.Count == 0) problems.Add($"{MessageId(wave, customer)}: its reply is not recorded in the outbox");
            if (parts.Select(p => p.Key).Distinct().Count() != parts.Count) problems.Add($"{MessageId(wave, customer)}: a reply part is recorded twice");
            if (parts.Any(p => p.Status != "sent")) problems.Add($"{MessageId(wave, customer)}: recorded as {string.Join(",", parts.Select(p => p.Status))}");
            if (sent.Count != parts.Count) problems.Add($"{MessageId(wave, customer)}: the provider got {sent.Count} messages for {parts.Count} reply parts");
            if (sent.Select(s => s.Body).Distinct().Count() != sent.Count) problems.Add($"{MessageId(wave, customer)}: the provider got the same message twice");
        }
        return problems;
    }

    private sealed record Part(string Key, string Status, string Tenant, string CustomerId);

    private static async Task<List<Part>> ListingAsync(HttpClient gateway)
    {
        try
        {
            using var response = await gateway.GetAsync("api/outbox?channel=whatsapp&limit=1000");
            if (!response.IsSuccessStatusCode) return [];
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("messages").EnumerateArray()
                .Select(m => new Part(m.GetProperty("idempotencyKey").GetString() ?? "", m.GetProperty("status").GetString() ?? "",
                    m.GetProperty("tenant").GetString() ?? "", m.GetProperty("customerId").GetString() ?? ""))
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return [];
        }
    }

    /// <summary>The outbox entries of the reply to one message: their idempotency keys name the message they answer.</summary>
    private static List<Part> Parts(List<Part> listing, int wave, int customer) =>
        listing.Where(p => p.Key.Contains(MessageId(wave, customer), StringComparison.Ordinal)).ToList();

    private static async Task<List<Part>> RecordedAsync(HttpClient gateway, int wave, int customer) => Parts(await ListingAsync(gateway), wave, customer);

    /// <summary>The silo port of the silo the cluster's management grain says holds the shard, asked through an Orleans client of the test's own.</summary>
    private static async Task<int> ShardHostPortAsync(LocalCluster cluster)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = SiloHosting.ServiceId;
                o.ClusterId = "local-cluster";
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(cluster.Redis.ConnectionString));
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IOutboxGrain>(Shard));
            return address?.Endpoint.Port ?? throw new InvalidOperationException($"The outbox shard {Shard} is not active on any silo.");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Free TCP ports from this engineer's range (27000-28999), one per silo.</summary>
    private static List<int> SiloPorts(int count)
    {
        var ports = new List<int>();
        for (var port = 27000 + Random.Shared.Next(1000); ports.Count < count && port < 29000; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                ports.Add(port);
            }
            catch (SocketException)
            {
            }
        }
        return ports;
    }
}
