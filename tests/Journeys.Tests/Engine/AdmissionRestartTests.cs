using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Channels.Tests;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journeys;
using Switchboard.Silo.Storage.Journal;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>
/// An engine process killed (SIGKILL) right after a CSV upload was answered, while its rows sit admitted in the
/// admission shards and are not yet enrolled: after the restart the shards resume, and every admitted row is enrolled
/// and runs its first step exactly once (one WhatsApp message per listed number at the provider).
/// </summary>
public sealed class AdmissionRestartTests
{
    private const string Journey = """
        journey: admitted-across-a-crash
        purpose: marketing
        steps:
          - id: first
            send: { channel: whatsapp, template: list_touch, message: "Listed before the crash." }
          - id: pause
            wait: { for: 2h }
        """;

    private const int Rows = 300;

    [Fact]
    public async Task Rows_admitted_before_a_kill_are_each_enrolled_exactly_once_after_the_restart()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        using var store = new TempDirectory();
        // A listed number's consent is unknown; this tenant's policy lets marketing go without an opt-in.
        var settings = JourneyEngine.Settings(graph, rbm, new() { ["Tenants:airline:Consent:MarketingRequiresOptIn"] = "false" });
        var numbers = Enumerable.Range(0, Rows).Select(i => $"9198001{i:D5}").ToList();
        var zone = JourneyEngine.AfternoonZone();

        var engine = await EngineProcess.StartAsync(store.Path, settings, TimeSpan.FromMinutes(3));
        try
        {
            (await engine.Http.PutAsync("/api/journeys/admitted-across-a-crash", new StringContent(Journey, Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();
            var csv = new StringBuilder("phone,timeZone\n");
            foreach (var n in numbers) csv.Append('+').Append(n).Append(',').Append(zone).Append('\n');
            var r = await engine.Http.PostAsync("/api/journeys/admitted-across-a-crash/enrolments/csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            var body = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, body);
            Assert.Equal(Rows, JsonNode.Parse(body)!["enrolled"]!.GetValue<int>()); // admitted: durable in the shards
        }
        finally
        {
            // At once: the shards hold back while rows arrive, so little or nothing is enrolled yet.
            engine.Kill();
            await engine.DisposeAsync();
        }

        // The kill came between admission and enrolment: admitted batches are still in the shards' journals (a batch's
        // stream is deleted only once every row in it is enrolled).
        var pending = 0;
        await using (var journal = new WriteAheadLogStore(Path.Combine(store.Path, "journal"), new WalOptions(), NullLogger.Instance))
            for (var s = 0; s < JourneyAdmission.Shards; s++)
                if ((await journal.ReadAsync(JourneyAdmissionGrain.StreamOf(JourneyAdmission.Key("airline", "admitted-across-a-crash", s)) + "/0")).Snapshot is not null)
                    pending++;
        Assert.True(pending > 0, "the kill came after every admitted row was enrolled: nothing to resume");

        await using var restarted = await EngineProcess.StartAsync(store.Path, settings, TimeSpan.FromMinutes(3));
        await JourneyEngine.Until(() => Task.FromResult(numbers.All(n => Count(graph, n) >= 1)), "every listed number's first step after the restart", seconds: 240,
            diagnose: () => Task.FromResult($"{numbers.Count(n => Count(graph, n) >= 1)} of {Rows} numbers reached"));
        Assert.All(numbers, n => Assert.Equal(1, Count(graph, n)));
        // And the upload again, in the same run: every row is already enrolled.
        var csv2 = new StringBuilder("phone\n");
        foreach (var n in numbers.Take(50)) csv2.Append('+').Append(n).Append('\n');
        var again = JsonNode.Parse(await (await restarted.Http.PostAsync("/api/journeys/admitted-across-a-crash/enrolments/csv",
            new StringContent(csv2.ToString(), Encoding.UTF8, "text/csv"))).Content.ReadAsStringAsync())!;
        Assert.Equal(0, again["enrolled"]!.GetValue<int>());
        Assert.Equal(50, again["alreadyEnrolled"]!.GetValue<int>());
    }

    private static int Count(GraphStandIn graph, string waId) => graph.To(waId).Count(r => r.Body.ToJsonString().Contains("list_touch"));
}
