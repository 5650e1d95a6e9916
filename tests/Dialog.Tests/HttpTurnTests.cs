using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.Dialog.Tests;

/// <summary>The engine as <c>dotnet run</c> serves it: both sample tenants answer through <c>POST /api/turns</c>.</summary>
[Collection(SiloCollection.Name)]
public sealed class HttpTurnTests(SiloFixture fixture)
{
    private async Task<JsonElement> Turn(string? tenant, string channel, string address, string text)
    {
        var response = await fixture.Silo.Http.PostAsJsonAsync(tenant is null ? "api/turns" : $"api/turns?tenant={tenant}",
            new { channel, address, messageId = Guid.NewGuid().ToString(), text });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reply");
    }

    [Fact]
    public async Task The_default_tenant_runs_the_airline_bot()
    {
        var reply = await Turn(null, "whatsapp", "919611100001", "hello");
        Assert.Contains("Maya from SkyWays Airlines", reply.GetProperty("text").GetString());
        Assert.Contains(reply.GetProperty("options").EnumerateArray(), o => o.GetProperty("title").GetString() == "Rebook a flight");
    }

    [Fact]
    public async Task The_autoservice_tenant_runs_its_own_bot()
    {
        var reply = await Turn("autoservice", "sms", "+919611100002", "I got a recall notice for my car");
        Assert.Contains("registration number", reply.GetProperty("text").GetString());
        var next = await Turn("autoservice", "sms", "+919611100002", "It's MH 12 AB 1234");
        Assert.Contains("brake hose inspection", next.GetProperty("text").GetString());
    }
}
