using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Tests;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Journeys;
using Switchboard.TestSupport;

namespace Switchboard.Journeys.Tests.Engine;

/// <summary>An audience list names customers who may never have written: a CSV row creates the customer their first message reaches.</summary>
public sealed class AudienceTests
{
    private const string Journey = """
        journey: list-only
        name: From a list
        purpose: transactional
        steps:
          - id: pause
            wait: { for: 2h }
          - id: touch
            send: { channel: best, prefer: [whatsapp, sms], template: list_touch, message: "Your car is due for service." }
        """;

    [Fact]
    public async Task A_csv_row_for_a_number_nobody_wrote_from_creates_the_customer_that_the_numbers_first_message_then_reaches()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm));
        await JourneyEngine.Define(silo, "list-only", Journey);
        const string phone = "919800000533";
        Assert.False((await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={phone}")).IsSuccessStatusCode);

        // The same number twice (written two ways) is one customer: admitted once, the second row already enrolled.
        var csv = $"phone,model\n+{phone},Nexon\nnot-a-number,Punch\n+91 98000 00533,Nexon\n";
        var r = await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(r.IsSuccessStatusCode, body.ToJsonString());
        Assert.Equal(3, body["rows"]!.GetValue<int>());
        Assert.Equal(1, body["enrolled"]!.GetValue<int>());
        Assert.Equal(1, body["alreadyEnrolled"]!.GetValue<int>());
        Assert.Equal(1, body["badRows"]!.GetValue<int>());
        var bad = Assert.Single(body["bad"]!.AsArray())!.AsObject();
        Assert.Equal(3, bad["line"]!.GetValue<int>());

        // The upload admitted the row; its admission shard then makes the listed number a customer, enrolled and
        // waiting; its first WhatsApp message reaches that same customer.
        string? listed = null;
        await JourneyEngine.Until(async () =>
        {
            var resolve = await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={phone}");
            if (!resolve.IsSuccessStatusCode) return false;
            listed = (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.ToString();
            return (await silo.Http.GetAsync($"/api/journeys/list-only/enrolments/{listed}")).IsSuccessStatusCode;
        }, "the admitted row is an enrolment");
        Assert.Equal("active", (await JourneyEngine.Timeline(silo, "list-only", listed!))["status"]!.ToString());
        await AdmissionJournalHoldsNoNumber(silo, "list-only", phone);
        Assert.Equal(listed, await JourneyEngine.CustomerWritesOnWhatsApp(silo, phone, "wamid.list.1", "hi, what is this about?"));
        var transcript = (await silo.Http.GetFromJsonAsync<JsonObject>($"/api/customers/{listed}/transcript"))!.ToJsonString();
        Assert.Contains("what is this about", transcript);

        // Enrolling the same list again in the same run enrols nobody twice.
        var again = (await (await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, again["enrolled"]!.GetValue<int>());
        Assert.Equal(2, again["alreadyEnrolled"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_customer_listed_by_number_and_by_id_in_one_upload_is_admitted_and_counted_once()
    {
        await using var graph = await GraphStandIn.StartAsync();
        await using var rbm = await ProviderStandIn.StartAsync();
        await using var silo = await SiloApp.StartAsync(JourneyEngine.Settings(graph, rbm));
        await JourneyEngine.Define(silo, "list-only", Journey);
        await JourneyEngine.Define(silo, "list-two", Journey.Replace("journey: list-only", "journey: list-two"));
        const string phone = "919800000534";
        // A first list makes the number a customer (its number bound to it) in another journey.
        var first = await silo.Http.PostAsync("/api/journeys/list-two/enrolments/csv", new StringContent($"phone\n+{phone}\n", Encoding.UTF8, "text/csv"));
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        string? customer = null;
        await JourneyEngine.Until(async () =>
        {
            var resolve = await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={phone}");
            if (!resolve.IsSuccessStatusCode) return false;
            customer = (await resolve.Content.ReadFromJsonAsync<JsonObject>())!["customerId"]!.ToString();
            return true;
        }, "the listed number is a customer");

        // The same customer by number and by id in one upload: admitted once, the other row already enrolled.
        var csv = $"phone,customerId,model\n+{phone},,Nexon\n,{customer},Nexon\n";
        var r = await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(r.IsSuccessStatusCode, body.ToJsonString());
        Assert.Equal(2, body["rows"]!.GetValue<int>());
        Assert.Equal(1, body["enrolled"]!.GetValue<int>());
        Assert.Equal(1, body["alreadyEnrolled"]!.GetValue<int>());
        Assert.Equal(0, body["badRows"]!.GetValue<int>());
        await JourneyEngine.Until(async () => (await silo.Http.GetAsync($"/api/journeys/list-only/enrolments/{customer}")).IsSuccessStatusCode,
            "the customer is enrolled");

        // By id first, then by number, in a later upload of the same run: already enrolled both times.
        var again = (await (await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv",
            new StringContent($"customerId,phone\n{customer},\n,+{phone}\n", Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, again["enrolled"]!.GetValue<int>());
        Assert.Equal(2, again["alreadyEnrolled"]!.GetValue<int>());
    }

    /// <summary>
    /// Once every admitted batch is enrolled, the shards' batch streams are gone and nothing the shards keep (their
    /// journals: run, salt, key hashes) holds the number, in UTF-8 or UTF-16.
    /// </summary>
    private static async Task AdmissionJournalHoldsNoNumber(SiloApp silo, string journey, string phone)
    {
        var grains = silo.App.Services.GetRequiredService<IGrainFactory>();
        var store = silo.App.Services.GetRequiredService<IJournalStore>();
        await JourneyEngine.Until(async () =>
        {
            var pending = 0;
            for (var s = 0; s < JourneyAdmission.Shards; s++)
                pending += await grains.GetGrain<IJourneyAdmissionGrain>(JourneyAdmission.Key("airline", journey, s)).Pending();
            return pending == 0;
        }, "every admitted batch is enrolled");
        var written = 0;
        for (var s = 0; s < JourneyAdmission.Shards; s++)
        {
            var key = JourneyAdmission.Key("airline", journey, s);
            var shard = await store.ReadAsync(JourneyAdmissionGrain.StreamOf(key));
            Assert.Null((await store.ReadAsync(JourneyAdmissionGrain.StreamOf(key) + "/0")).Snapshot);
            foreach (var record in shard.Events.Concat(shard.Snapshot is { } snap ? [snap] : []))
            {
                written++;
                var bytes = record.ToArray();
                Assert.DoesNotContain(phone, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
                Assert.DoesNotContain(phone, Encoding.Unicode.GetString(bytes), StringComparison.Ordinal);
            }
        }
        Assert.True(written >= 2, "the row's shard recorded its admission and its enrolment");
    }
}
