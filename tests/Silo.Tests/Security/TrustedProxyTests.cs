using System.Net;
using System.Net.Http.Headers;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>The failed-key throttle behind a reverse proxy: with the proxy trusted it counts the client X-Forwarded-For names; without, it ignores the header.</summary>
public sealed class TrustedProxyTests
{
    private static async Task<HttpStatusCode> TryKey(SiloApp silo, string forwardedFor)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/customers/resolve?channel=whatsapp&address=919800000001");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a-wrong-key-of-enough-length");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_guesser_is_throttled_and_other_clients_of_the_proxy_are_not()
    {
        await using var silo = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["Admin:FailedKeys:Limit"] = "3",
            ["Admin:TrustedProxies:0"] = "127.0.0.1",
        });
        // The third wrong key within the window is the one that trips the throttle.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, await TryKey(silo, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await TryKey(silo, "203.0.113.7"));
        // Another client behind the same proxy still gets its key checked.
        Assert.Equal(HttpStatusCode.Unauthorized, await TryKey(silo, "198.51.100.4"));
    }

    [Fact]
    public async Task Without_a_trusted_proxy_X_Forwarded_For_is_ignored()
    {
        await using var silo = await SiloApp.StartAsync(new Dictionary<string, string?> { ["Admin:FailedKeys:Limit"] = "3" });
        // A guesser that writes a new X-Forwarded-For each time is still one address.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, await TryKey(silo, $"203.0.113.{i + 1}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await TryKey(silo, "203.0.113.99"));
    }
}
