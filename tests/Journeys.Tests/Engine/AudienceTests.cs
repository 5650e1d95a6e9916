using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Channels.Tests;
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

        var csv = $"phone,model\n+{phone},Nexon\nnot-a-number,Punch\n";
        var r = await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(r.IsSuccessStatusCode, body.ToJsonString());
        Assert.Equal(1, body["enrolled"]!.GetValue<int>());
        Assert.Equal(1, body["badRows"]!.GetValue<int>());
        var bad = Assert.Single(body["bad"]!.AsArray())!.AsObject();
        Assert.Equal(3, bad["line"]!.GetValue<int>());

        // The listed number is now a customer, enrolled and waiting; its first WhatsApp message reaches that same customer.
        var listed = (await silo.Http.GetFromJsonAsync<JsonObject>($"/api/customers/resolve?channel=whatsapp&address={phone}"))!["customerId"]!.ToString();
        Assert.Equal("active", (await JourneyEngine.Timeline(silo, "list-only", listed))["status"]!.ToString());
        Assert.Equal(listed, await JourneyEngine.CustomerWritesOnWhatsApp(silo, phone, "wamid.list.1", "hi, what is this about?"));
        var transcript = (await silo.Http.GetFromJsonAsync<JsonObject>($"/api/customers/{listed}/transcript"))!.ToJsonString();
        Assert.Contains("what is this about", transcript);

        // Enrolling the same list again in the same run enrols nobody twice.
        var again = (await (await silo.Http.PostAsync("/api/journeys/list-only/enrolments/csv", new StringContent(csv, Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(0, again["enrolled"]!.GetValue<int>());
        Assert.Equal(1, again["alreadyEnrolled"]!.GetValue<int>());
    }
}
