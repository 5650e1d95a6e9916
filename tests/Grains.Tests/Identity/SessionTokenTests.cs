using Microsoft.Extensions.Time.Testing;
using Switchboard.Grains.Identity;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Identity;

public class SessionTokenTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly SessionTokens _tokens;

    public SessionTokenTests()
    {
        var keys = new CustomerKeys(new byte[32].Select((_, i) => (byte)(i * 3)).ToArray());
        _tokens = new SessionTokens(keys.SessionTokenKey, _time);
    }

    [Fact]
    public void A_fresh_token_names_its_customer_and_purpose()
    {
        var token = _tokens.Issue("airline", "c-0123", "call", TimeSpan.FromMinutes(30), out _);
        var claims = _tokens.Validate("airline", token);
        Assert.NotNull(claims);
        Assert.Equal("c-0123", claims.CustomerId);
        Assert.Equal("call", claims.Purpose);
    }

    [Fact]
    public void A_token_expires()
    {
        var token = _tokens.Issue("airline", "c-0123", "call", TimeSpan.FromMinutes(30), out _);
        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(_tokens.Validate("airline", token));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(_tokens.Validate("airline", token));
    }

    [Fact]
    public void A_token_is_bound_to_its_tenant_and_cannot_be_altered()
    {
        var token = _tokens.Issue("airline", "c-0123", "call", TimeSpan.FromMinutes(30), out _);
        Assert.Null(_tokens.Validate("autoservice", token));
        var tampered = token[..^2] + (token[^2] == 'A' ? "BA" : "AA");
        Assert.Null(_tokens.Validate("airline", tampered));
        Assert.Null(_tokens.Validate("airline", "st1.garbage"));
        Assert.Null(_tokens.Validate("airline", "st1.!!!.???"));
        Assert.Null(_tokens.Validate("airline", new string('x', 5000)));
    }
}
