using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Tests;

public class SendRulesTests
{
    private static readonly TenantJourneyRules Rules = Shipped.Autoservice.Rules;
    private static readonly JourneyChannel[] Order = [JourneyChannel.WhatsApp, JourneyChannel.Rcs, JourneyChannel.Sms];

    [Fact]
    public void Outside_the_24h_window_whatsapp_sends_the_approved_template()
    {
        var c = Shipped.Customer();
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, Shipped.MondayMorningIndia);
        Assert.Equal((SendDecisionKind.Send, JourneyChannel.WhatsApp, SendKind.Template), (d.Kind, d.Channel, d.SendKind));

        c.LastInboundAt = Shipped.MondayMorningIndia.AddHours(-3);
        d = SendRules.Decide(Rules, Order, "marketing", true, true, c, Shipped.MondayMorningIndia);
        Assert.Equal(SendKind.FreeForm, d.SendKind);
    }

    [Fact]
    public void Revoked_whatsapp_falls_back_to_rcs_and_the_trace_says_why()
    {
        var c = Shipped.Customer();
        c.SetConsent(JourneyChannel.WhatsApp, "marketing", false);
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, Shipped.MondayMorningIndia);
        Assert.Equal(JourneyChannel.Rcs, d.Channel);
        Assert.Contains(d.Trace, t => t is { Rule: RuleNames.Consent, Channel: JourneyChannel.WhatsApp, Verdict: Verdict.Refused });
        Assert.Contains(d.Trace, t => t is { Rule: RuleNames.Fallback, Reason: "whatsapp -> rcs" });
    }

    [Fact]
    public void A_handset_without_rcs_gets_sms()
    {
        var c = Shipped.Customer(rcs: false);
        var d = SendRules.Decide(Rules, [JourneyChannel.Rcs, JourneyChannel.Sms], "marketing", false, true, c, Shipped.MondayMorningIndia);
        Assert.Equal(JourneyChannel.Sms, d.Channel);
        Assert.Contains(d.Trace, t => t is { Rule: RuleNames.RcsCapability, Verdict: Verdict.Refused });
    }

    [Fact]
    public void Quiet_hours_in_the_customers_zone_defer_to_the_morning()
    {
        var c = Shipped.Customer();
        var tenPmIndia = new DateTimeOffset(2026, 12, 7, 16, 30, 0, TimeSpan.Zero);
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, tenPmIndia);
        Assert.Equal(SendDecisionKind.Defer, d.Kind);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 3, 30, 0, TimeSpan.Zero), d.Until); // 09:00 IST
        Assert.Equal(RuleNames.QuietHours, d.Trace[^1].Rule);

        // The same instant is 16:30 in London: a UK number is not in quiet hours.
        var uk = Shipped.Customer(number: "+447700900001");
        Assert.Equal(SendDecisionKind.Send, SendRules.Decide(Rules, Order, "marketing", true, true, uk, tenPmIndia).Kind);
    }

    [Fact]
    public void Calls_wait_for_the_voice_open_hours_and_restricted_dates_block_everything()
    {
        var c = Shipped.Customer();
        var sundayNoonIndia = new DateTimeOffset(2026, 12, 6, 6, 30, 0, TimeSpan.Zero);
        var call = SendRules.Decide(Rules, [JourneyChannel.Voice], "marketing", false, true, c, sundayNoonIndia);
        Assert.Equal(SendDecisionKind.Defer, call.Kind);
        Assert.Equal(RuleNames.OpenHours, call.Trace[^1].Rule);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 4, 30, 0, TimeSpan.Zero), call.Until); // Monday 10:00 IST

        var christmasNoon = new DateTimeOffset(2026, 12, 25, 6, 30, 0, TimeSpan.Zero);
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, christmasNoon);
        Assert.Equal(RuleNames.Restricted, d.Trace[^1].Rule);
        Assert.Equal(new DateTimeOffset(2026, 12, 26, 3, 30, 0, TimeSpan.Zero), d.Until);
    }

    [Fact]
    public void A_third_marketing_touch_in_24h_across_channels_and_journeys_waits_for_room()
    {
        var c = Shipped.Customer();
        var now = Shipped.MondayMorningIndia;
        c.TouchList.Add(new Touch(now.AddHours(-20), JourneyChannel.Sms, "marketing", "other-journey"));
        c.TouchList.Add(new Touch(now.AddHours(-1), JourneyChannel.WhatsApp, "marketing", "service-reminder"));
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, now);
        Assert.Equal(SendDecisionKind.Defer, d.Kind);
        Assert.Equal(RuleNames.FrequencyCap, d.Trace[^1].Rule);
        Assert.True(d.Until > now.AddHours(4) && d.Until < now.AddHours(4).AddSeconds(1));
    }

    [Fact]
    public void No_allowed_channel_refuses_the_send()
    {
        var c = Shipped.Customer();
        foreach (var ch in Order) c.SetConsent(ch, "marketing", false);
        var d = SendRules.Decide(Rules, Order, "marketing", true, true, c, Shipped.MondayMorningIndia);
        Assert.Equal(SendDecisionKind.Refuse, d.Kind);
        Assert.Equal(RuleNames.NoChannel, d.Trace[^1].Rule);
    }

    [Fact]
    public void A_number_with_several_zones_must_be_outside_quiet_hours_in_all_of_them()
    {
        var zones = CustomerZones.Resolve(null, "+12025550101", "UTC");
        Assert.Equal("phone-region", zones.Source);
        var rules = Rules with { Restricted = [] };
        var c = new Simulation.SimCustomer("c", new CustomerZones([TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles")], "test"), true);
        c.SetConsent(JourneyChannel.Sms, "marketing", true);
        // 13:00 UTC is 08:00 in New York (quiet) ... and 05:00 in Los Angeles (quiet): deferred until 09:00 in LA.
        var d = SendRules.Decide(rules, [JourneyChannel.Sms], "marketing", false, true, c, new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 17, 0, 0, TimeSpan.Zero), d.Until);
    }

    [Fact]
    public void Capacity_is_shared_by_weight_and_never_exceeds_the_total()
    {
        var share = CapacityShare.Allocate(100, new Dictionary<string, double> { ["a"] = 3, ["b"] = 1, ["c"] = 0.001 });
        Assert.Equal(100, share.Values.Sum());
        Assert.Equal(1, share["c"]);
        Assert.True(share["a"] > 2 * share["b"]);
    }

    [Fact]
    public void Calls_are_paced_per_second_and_by_concurrency()
    {
        var pacer = new CallPacer(callsPerSecond: 2, concurrent: 3);
        var t = Shipped.MondayMorningIndia;
        Assert.True(pacer.TryStart(t, out _));
        Assert.True(pacer.TryStart(t, out _));
        Assert.False(pacer.TryStart(t, out var retry));
        Assert.Equal(t.AddSeconds(1), retry);
        Assert.True(pacer.TryStart(retry, out _));
        Assert.False(pacer.TryStart(retry.AddSeconds(1), out _)); // three up at once
        pacer.Ended();
        Assert.True(pacer.TryStart(retry.AddSeconds(1), out _));
    }
}
