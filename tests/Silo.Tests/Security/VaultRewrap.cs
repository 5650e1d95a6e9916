using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>Runs one rewrap pass over every customer through the admin API and waits until it is done.</summary>
internal static class VaultRewrap
{
    /// <summary>Starts a pass (<c>POST /api/vault/rewrap</c>) and returns its progress once it reports done.</summary>
    public static async Task<JsonElement> RunAsync(SiloApp app)
    {
        var started = await app.Http.PostAsync("api/vault/rewrap", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var pass = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pass").GetInt32();
        JsonElement last = default;
        Assert.True(await Eventually.HoldsAsync(async () =>
        {
            last = await app.Http.GetFromJsonAsync<JsonElement>("api/vault/rewrap");
            return last.GetProperty("pass").GetInt32() == pass && last.GetProperty("status").GetString() == "done";
        }, TimeSpan.FromSeconds(120)), "the rewrap pass did not finish");
        return last;
    }
}
