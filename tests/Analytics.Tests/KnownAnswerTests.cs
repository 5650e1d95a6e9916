using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Analytics.Tests;

/// <summary>
/// Scripted conversations through the real engine (airline bot) give exactly the figures docs/analytics.md defines:
/// A rebooks on WhatsApp, asks to call and finishes on the phone with the resume line (a zero-knowledge switch);
/// B asks web chat for a human (not contained); C is offered a call and never calls (the abandoned escalation);
/// A and C then reach a journey's goal after one and two hours (posted as events, as the journeys engine would).
/// No PII the customers typed reaches the events, the DuckDB file, the exports or the metric labels.
/// </summary>
public sealed class KnownAnswerTests
{
    [Fact]
    public async Task Scripted_conversations_give_exact_containment_zero_knowledge_drop_off_and_velocity()
    {
        var canary = new Canary();
        const string phoneA = "919811100002", phoneC = "919811100003";
        using var store = new TempDirectory();
        var engine = await SiloApp.StartAsync(storePath: store.Path);
        List<(string Where, string Text)> outputs = [];
        var leaks = new List<string> { phoneA, phoneC, "visitor-b-1", "AB12CD", "2468", "Mumbai", "missed my connection" };
        leaks.AddRange(canary.Forms);
        try
        {


        var i = 0;
        string a = "";
        foreach (var said in new[] { $"I missed my connection, card {canary.CardSpaced}", "2468", "AB12CD", "Mumbai", "tomorrow", "4 pm", "can I call you" })
            a = await engine.TurnAsync("whatsapp", phoneA, $"wa-a-{++i}", said);
        var voice = await engine.Http.PostAsJsonAsync("api/turns", new { channel = "voice", address = $"sip:+{phoneA}@sbc", messageId = "v-a-1", text = "yes" });
        var spoken = await voice.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("I see we were verifying the 4:00 PM flight to Mumbai on your WhatsApp chat. Let's finish that here.",
            spoken.GetProperty("reply").GetProperty("text").GetString());
        await engine.TurnAsync("webchat", "visitor-b-1", "wc-b-1", $"I missed my connection, mail me at {canary.Email}");
        await engine.TurnAsync("webchat", "visitor-b-1", "wc-b-2", "talk to an agent");
        await engine.TurnAsync("whatsapp", phoneC, "wa-c-1", "I missed my connection");
        var c = await engine.TurnAsync("whatsapp", phoneC, "wa-c-2", "can I call you");

        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        object Step(string id, string customer, string step) => new { id, kind = "journey-step", tenant = "airline", customerId = customer, channel = "whatsapp", at, journey = "win-back", step, outcome = "sent" };
        object Goal(string id, string customer, double ms) => new { id, kind = "journey-goal", tenant = "airline", customerId = customer, channel = "whatsapp", at, journey = "win-back", durationMs = ms };
        var posted = await engine.Http.PostAsJsonAsync("api/analytics/events", new
        {
            events = new[] { Step("j-1", a, "offer"), Step("j-2", c, "offer"), Step("j-3", c, "reminder"), Goal("j-4", a, 3_600_000), Goal("j-5", c, 7_200_000) },
        });
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        // 12 turns, 1 switch, 2 call offers, 1 handoff, 1 flow completed, 5 journey events.
        var report = await engine.ReportWhenAsync(22);
        var o = report.GetProperty("overview");
        Assert.Equal(3, o.GetProperty("conversations").GetInt64());
        Assert.Equal(2, o.GetProperty("contained").GetInt64());
        Assert.Equal(0.6667, o.GetProperty("containment").GetDouble());
        Assert.Equal(12, o.GetProperty("turns").GetInt64());
        Assert.Equal(4, o.GetProperty("averageHandlingTurns").GetDouble());
        Assert.Equal(1, o.GetProperty("switches").GetInt64());
        Assert.Equal(1.0, o.GetProperty("zeroKnowledgeTransferRate").GetDouble());
        Assert.Equal(1, o.GetProperty("handoffs").GetInt64());

        var e = report.GetProperty("escalation");
        Assert.Equal(2, e.GetProperty("offered").GetInt64());
        Assert.Equal(1, e.GetProperty("callStarted").GetInt64());
        Assert.Equal(1, e.GetProperty("flowCompleted").GetInt64());
        Assert.Equal(0.5, e.GetProperty("dropOff").GetDouble());
        Assert.Equal(0.5, e.GetProperty("dropOffBeforeCall").GetDouble());
        Assert.Equal(0.0, e.GetProperty("dropOffDuringCall").GetDouble());

        var channels = report.GetProperty("channels").EnumerateArray().ToDictionary(x => x.GetProperty("channel").GetString()!);
        Assert.Equal(0.0, channels["webchat"].GetProperty("containment").GetDouble());
        Assert.Equal(1.0, channels["whatsapp"].GetProperty("containment").GetDouble());
        Assert.Equal(1.0, channels["voice"].GetProperty("containment").GetDouble());
        var cell = Assert.Single(report.GetProperty("switches").EnumerateArray());
        Assert.Equal(("whatsapp", "voice", 1L, 1L), (cell.GetProperty("from").GetString(), cell.GetProperty("to").GetString(),
            cell.GetProperty("switches").GetInt64(), cell.GetProperty("zeroRepeat").GetInt64()));

        var journey = Assert.Single(report.GetProperty("journeys").EnumerateArray());
        Assert.Equal(2, journey.GetProperty("enrolled").GetInt64());
        Assert.Equal(2, journey.GetProperty("reachedGoal").GetInt64());
        Assert.Equal(5_400_000, journey.GetProperty("timeToGoalP50Ms").GetDouble());
        Assert.Equal(6_840_000, journey.GetProperty("timeToGoalP90Ms").GetDouble());
        var steps = journey.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("customers").GetInt64());
        Assert.Equal(2, steps["offer"]);
        Assert.Equal(1, steps["reminder"]);

        // Nothing typed or any address anywhere analytics writes or answers.
        outputs.Add(("report", report.ToString()));
        foreach (var chart in new[] { "overview", "channels", "flows", "escalation", "switches", "journeys", "roi", "series" })
            outputs.Add(($"export {chart}", await engine.Http.GetStringAsync($"api/analytics/export/{chart}.csv?tenant=airline")));
        outputs.Add(("series", await engine.Http.GetStringAsync("api/analytics/series?tenant=airline&bucket=hour&from=" + DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd"))));
        outputs.Add(("metrics", await engine.Http.GetStringAsync("metrics")));
        Assert.Contains("switchboard_interaction_events", outputs[^1].Text);
        }
        finally
        {
            await engine.DisposeAsync();
        }
        foreach (var file in Directory.GetFiles(engine.StorePath, "analytics.duckdb*"))
            outputs.Add((Path.GetFileName(file), System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file))));
        Assert.Contains(outputs, x => x.Where == "analytics.duckdb");
        foreach (var (where, text) in outputs)
            foreach (var leak in leaks)
                Assert.False(text.Contains(leak, StringComparison.OrdinalIgnoreCase), $"{leak} found in {where}");
    }
}
