using Switchboard.Grains.Consent;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Tests.Consent;

public class ConsentRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private readonly ConsentRegistry _registry = new([]);

    [Fact]
    public void Marketing_needs_an_explicit_grant_and_says_why_not()
    {
        var decision = _registry.CanContact(Channel.WhatsApp, ConsentPurpose.Marketing, new ConsentPolicy(), customerWroteOnChannel: true);
        Assert.False(decision.Allowed);
        Assert.Contains("no marketing consent", decision.Reason);
    }

    [Fact]
    public void Transactional_messages_are_implied_only_on_a_channel_the_customer_used()
    {
        Assert.True(_registry.CanContact(Channel.WhatsApp, ConsentPurpose.Transactional, new ConsentPolicy(), true).Allowed);
        Assert.False(_registry.CanContact(Channel.Sms, ConsentPurpose.Transactional, new ConsentPolicy(), false).Allowed);
    }

    [Fact]
    public void The_latest_decision_wins_and_the_history_keeps_every_change_in_order()
    {
        _registry.Record(new ConsentChange(Channel.WhatsApp, ConsentPurpose.Marketing, ConsentStatus.Granted, "web-form", "form#77", T0));
        _registry.Record(new ConsentChange(Channel.WhatsApp, ConsentPurpose.Marketing, ConsentStatus.Revoked, "keyword", "wamid.1", T0.AddDays(1)));
        var decision = _registry.CanContact(Channel.WhatsApp, ConsentPurpose.Marketing, new ConsentPolicy(), true);
        Assert.False(decision.Allowed);
        Assert.Contains("revoked via keyword", decision.Reason);
        Assert.Equal([ConsentStatus.Granted, ConsentStatus.Revoked], _registry.History(Channel.WhatsApp, ConsentPurpose.Marketing).Select(c => c.Status));
        Assert.Equal(ConsentStatus.Unknown, _registry.StatusOf(Channel.Sms, ConsentPurpose.Marketing));
    }

    [Fact]
    public void An_explicit_revocation_overrides_implied_transactional_consent()
    {
        _registry.Record(new ConsentChange(Channel.Sms, ConsentPurpose.Transactional, ConsentStatus.Revoked, "keyword", "STOP", T0));
        Assert.False(_registry.CanContact(Channel.Sms, ConsentPurpose.Transactional, new ConsentPolicy(), true).Allowed);
    }
}
