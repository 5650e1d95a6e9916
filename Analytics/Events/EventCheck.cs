using System.Text.RegularExpressions;
using Switchboard.Grains.Interfaces.Analytics;

namespace Switchboard.Analytics.Events;

/// <summary>
/// The gate every interaction event passes before it is stored: ids and names of a fixed shape, so message text, an
/// address or a number a customer typed can never reach the store, an export or a metric label. An event that fails
/// is dropped and counted, never stored in part.
/// </summary>
public static partial class EventCheck
{
    public const int MaxIdLength = 128;

    // Names are bot-authored identifiers (intents, flows, slots, journeys, outcomes): no spaces, no '@' or '+'.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Tenant();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,128}$")]
    private static partial Regex EventId();

    // The engine's customer ids (c- and 20 hex digits); empty for events no customer is known for yet (a call being set up).
    [GeneratedRegex("^(c-[0-9a-f]{20})?$")]
    private static partial Regex CustomerId();

    // Six digits in a row look like a phone number, a card, an OTP: never a name.
    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex DigitRun();

    /// <summary>Null when <paramref name="e"/> may be stored; otherwise which field is wrong (never its value).</summary>
    public static string? Problem(InteractionEvent? e)
    {
        if (e is null) return "event is missing";
        // The id is stored only as a hash (EventKey), so its shape is all that matters here.
        if (e.Id is null || !EventId().IsMatch(e.Id)) return "id";
        if (e.Tenant is null || !Tenant().IsMatch(e.Tenant)) return "tenant";
        if (e.CustomerId is null || !CustomerId().IsMatch(e.CustomerId)) return "customerId";
        if (!Enum.IsDefined(e.Kind)) return "kind";
        if (!Enum.IsDefined(e.Channel)) return "channel";
        if (e.FromChannel is { } from && !Enum.IsDefined(from)) return "fromChannel";
        if (e.At == default) return "at";
        if (!IsName(e.Intent)) return "intent";
        if (!IsName(e.Flow)) return "flow";
        if (!IsName(e.Step)) return "step";
        if (!IsName(e.Outcome)) return "outcome";
        if (!IsName(e.Journey)) return "journey";
        if (e.DurationMs is { } d && (double.IsNaN(d) || d < 0 || d > TimeSpan.FromDays(366).TotalMilliseconds)) return "durationMs";
        return null;
    }

    private static bool IsName(string? value) => value is null || (Name().IsMatch(value) && !DigitRun().IsMatch(value));
}
