using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

public sealed class FailedKeyThrottleTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Operator = IPAddress.Parse("198.51.100.4");

    [Fact]
    public void An_address_is_refused_after_the_limit_of_wrong_keys_until_the_window_passes_and_others_are_not()
    {
        var time = new FakeTimeProvider();
        var throttle = new FailedKeyThrottle(time, limit: 3, window: TimeSpan.FromMinutes(1));
        throttle.RecordFailure(Guesser);
        throttle.RecordFailure(Guesser);
        Assert.Null(throttle.RefusedFor(Guesser));
        throttle.RecordFailure(Guesser);
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.RefusedFor(Guesser));
        Assert.Null(throttle.RefusedFor(Operator));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RefusedFor(Guesser));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.RefusedFor(Guesser));
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_never_add_up_to_a_refusal()
    {
        var time = new FakeTimeProvider();
        var throttle = new FailedKeyThrottle(time, limit: 3, window: TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10; i++)
        {
            throttle.RecordFailure(Guesser);
            time.Advance(TimeSpan.FromSeconds(31));
        }
        Assert.Null(throttle.RefusedFor(Guesser));
    }

    [Fact]
    public async Task After_a_burst_of_wrong_keys_the_engine_answers_429_even_to_the_right_key_and_public_endpoints_stay_open()
    {
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string?> { ["Admin:FailedKeys:Limit"] = "5" });
        using var guesser = new HttpClient { BaseAddress = app.BaseAddress };
        for (var i = 0; i < 4; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"guess-{i}-0123456789abcdef");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("api/outbox")).StatusCode);
        }
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guess-4-0123456789abcdef");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.GetAsync("api/outbox")).StatusCode);

        // The right key from the same address is not even checked while the address is refused.
        var right = await app.Http.GetAsync("api/outbox");
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
        Assert.InRange(right.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await guesser.GetAsync("healthz")).StatusCode);
    }
}
