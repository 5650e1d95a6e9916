using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Rules;

/// <summary>
/// A tenant's rules every journey send obeys (the tenant's <c>journeys/rules.yaml</c>): channel preference and fallback
/// order, quiet hours and open hours per channel in the customer's local time, restricted periods, frequency caps
/// across channels and journeys, the default time zone, and the outbound capacity running journeys share.
/// </summary>
public sealed record TenantJourneyRules(
    IReadOnlyList<JourneyChannel> ChannelOrder,
    DailyWindow? QuietHours,
    IReadOnlyDictionary<JourneyChannel, OpenHours> OpenHours,
    IReadOnlyList<RestrictedPeriod> Restricted,
    IReadOnlyList<FrequencyCap> Caps,
    string DefaultTimeZone,
    int MessagesPerMinute,
    int CallsPerSecond,
    int ConcurrentCalls,
    double JourneyShare = TenantJourneyRules.DefaultJourneyShare)
{
    /// <summary>The part of a channel's <see cref="MessagesPerMinute"/> journeys may use together; the rest is kept for replies to customers, which are never held.</summary>
    public const double DefaultJourneyShare = 0.8;

    public static readonly TimeSpan WhatsAppWindow = TimeSpan.FromHours(24);

    public static TenantJourneyRules Default { get; } = new(
        [JourneyChannel.WhatsApp, JourneyChannel.Rcs, JourneyChannel.Sms],
        new DailyWindow(new TimeOnly(21, 0), new TimeOnly(9, 0)),
        new Dictionary<JourneyChannel, OpenHours>(),
        [],
        [new FrequencyCap("marketing", 2, TimeSpan.FromHours(24))],
        "UTC",
        6000, 5, 10);
}
