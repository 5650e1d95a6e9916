using System.Diagnostics;
using System.Net;
using Switchboard.TestSupport;
using Xunit.Abstractions;

namespace Switchboard.Cluster.Tests;

/// <summary>
/// A turn in flight on a silo when that silo is SIGKILLed. Before the fix the gateway's call waited out the cluster's
/// 10 s response timeout (Orleans' client does not fail calls outstanding on a closed silo connection), so the sender
/// stalled about 10 s. Now the gateway sends the turn again when the connection closes or the silo is found unreachable
/// (<c>Channels/Common/TurnCalls</c>), and the call's own deadline is 5 s.
/// </summary>
[Collection("cluster")]
public sealed class TurnInFlightTests(ITestOutputHelper output)
{
    private const string WaId = "919811100001";
    /// <summary>
    /// Under the 10 s response timeout the sender used to wait (from the send, so about 10 s from the kill). The answer
    /// waits for the cluster to declare the silo dead (3-4 s, more on a saturated machine: 2.5 and 6.5 s measured at load
    /// average 30-45), then for the customer's grains to be activated on a survivor.
    /// </summary>
    private static readonly TimeSpan AnsweredWithin = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_turn_in_flight_on_a_killed_silo_is_answered_within_seconds_once()
    {
        // Each silo asks the language model stand-in under its own name, so a held request names the silo holding the turn.
        await using var model = await LanguageModelStandIn.StartAsync();
        var settings = ClusterSettings.Base();
        settings["Bots:Llm:Model"] = "stand-in";
        settings["Bots:Llm:TimeoutSeconds"] = "120";
        await using var cluster = await LocalCluster.StartAsync(0, 0, settings);
        cluster.Silos.AddRange(await Task.WhenAll(Enumerable.Range(1, 3).Select(i =>
            cluster.StartSiloAsync(new Dictionary<string, string?> { ["Bots:Llm:Endpoint"] = $"{model.Url}/silo{i}/v1" }))));
        cluster.Gateways.Add(await cluster.StartGatewayAsync());
        using var http = new HttpClient { BaseAddress = cluster.Gateways[0].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var first = await PostUntilAcknowledgedAsync(http, "wamid.inflight.1", "hello");
        Assert.True(first.Acknowledged, "the cluster did not answer the first turn");

        // The second turn reaches the model from inside the customer grain's turn, and is held there.
        var posting = PostUntilAcknowledgedAsync(http, "wamid.inflight.2", LanguageModelStandIn.HoldMarker);
        var heldOn = await model.Held.WaitAsync(TimeSpan.FromSeconds(90));
        var victim = cluster.Silos[int.Parse(heldOn["silo".Length..]) - 1];
        var survivor = cluster.Silos.First(s => s != victim);
        var killed = Stopwatch.GetTimestamp();
        victim.Kill();
        output.WriteLine($"the turn was held on {heldOn}; SIGKILLed it (pid {victim.Pid})");

        var second = await posting.WaitAsync(TimeSpan.FromSeconds(90));
        var afterKill = Stopwatch.GetElapsedTime(killed);
        output.WriteLine($"acknowledged {afterKill.TotalSeconds:F2} s after the kill; failed posts before that: {second.Failures} ({string.Join(", ", second.Statuses)})");
        output.WriteLine($"model requests: {string.Join(", ", model.Requests.Select(r => r.Silo + (r.Marked ? "*" : "")))}");
        Assert.True(second.Acknowledged, "the turn held on the killed silo was never acknowledged");
        Assert.True(afterKill < AnsweredWithin, $"the turn held on the killed silo was acknowledged {afterKill.TotalSeconds:F1} s after the kill (bound {AnsweredWithin.TotalSeconds} s)");
        // The gateway sent the turn again itself: the sender's post was answered 200, never 503.
        Assert.Equal(0, second.Failures);
        // It ran again on a survivor (which asked the model again), and it is in the transcript once, answered once.
        Assert.Contains(model.Requests, r => r.Marked && r.Silo != heldOn);
        var customer = await Transcripts.ResolveAsync(survivor.Http, "whatsapp", WaId);
        Assert.NotNull(customer);
        var turns = await Transcripts.ReadAsync(survivor.Http, customer);
        var inbound = turns.Where(t => t.Direction == "inbound").Select(t => t.Text).ToList();
        output.WriteLine($"transcript: {string.Join(" | ", turns.Select(t => $"{t.Direction}: {t.Text}"))}");
        Assert.Equal(["hello", LanguageModelStandIn.HoldMarker], inbound);
        Assert.Equal(2, turns.Count(t => t.Direction == "outbound"));
    }

    private sealed record Outcome(bool Acknowledged, int Failures, List<string> Statuses);

    /// <summary>Posts the signed webhook until the gateway answers 200 (as Meta redelivers after a failure), for at most a minute.</summary>
    private static async Task<Outcome> PostUntilAcknowledgedAsync(HttpClient http, string messageId, string text)
    {
        var statuses = new List<string>();
        var json = WhatsAppWebhookPost.Text(WaId, messageId, text);
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                using var response = await WhatsAppWebhookPost.PostSignedAsync(http, json, ClusterSettings.AppSecret);
                if (response.StatusCode == HttpStatusCode.OK) return new Outcome(true, statuses.Count, statuses);
                statuses.Add(((int)response.StatusCode).ToString());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                statuses.Add(e.GetType().Name);
            }
            // A webhook sender's retry interval, not synchronisation.
            await Task.Delay(200);
        }
        return new Outcome(false, statuses.Count, statuses);
    }
}
