using Microsoft.Extensions.Configuration;
using Switchboard.Channels.Common;
using Switchboard.Silo.Security;

namespace Switchboard.Silo.Tests.Security;

public sealed class AdminKeyringTests
{
    private static AdminKeyring Ring(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return AdminKeyring.FromConfiguration(config, new AdminOptions { ApiKey = "the-full-admin-key-0001" });
    }

    [Fact]
    public void A_presented_key_matches_only_its_own_entry_whatever_its_length()
    {
        var ring = Ring(new() { ["Admin:Keys:support:Key"] = "support-read-key-00001", ["Admin:Keys:support:Scopes:0"] = "read" });
        Assert.Equal(AdminKeyring.FullKeyName, ring.Match("the-full-admin-key-0001", DateTimeOffset.UtcNow)?.Name);
        Assert.Equal("support", ring.Match("support-read-key-00001", DateTimeOffset.UtcNow)?.Name);
        Assert.Null(ring.Match("the-full-admin-key-000", DateTimeOffset.UtcNow));
        Assert.Null(ring.Match("the-full-admin-key-00012", DateTimeOffset.UtcNow));
        Assert.Null(ring.Match("", DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_scoped_key_with_an_unknown_scope_stops_the_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Ring(new() { ["Admin:Keys:ops:Key"] = "ops-key-000000000001", ["Admin:Keys:ops:Scopes:0"] = "delete-everything" }));
        Assert.Contains("Admin:Keys:ops:Scopes", e.Message);
    }

    [Fact]
    public void Two_keys_with_one_value_stop_the_start()
    {
        Assert.Throws<InvalidOperationException>(() =>
            Ring(new() { ["Admin:Keys:ops:Key"] = "the-full-admin-key-0001", ["Admin:Keys:ops:Scopes:0"] = "read" }));
    }

    [Fact]
    public void A_scoped_key_named_like_the_full_admin_key_stops_the_start_so_the_audit_log_stays_unambiguous()
    {
        Assert.Throws<InvalidOperationException>(() =>
            Ring(new() { ["Admin:Keys:admin:Key"] = "another-admin-key-0001", ["Admin:Keys:admin:Scopes:0"] = "read" }));
    }
}
