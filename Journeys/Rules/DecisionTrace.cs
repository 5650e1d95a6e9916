using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Rules;

public enum Verdict
{
    Allowed,
    Refused,
    Deferred,
    Fallback,
}

/// <summary>One rule's say on one send: which rule, for which channel, what it decided and why (no addresses, no text).</summary>
public sealed record TraceEntry(string Rule, JourneyChannel? Channel, Verdict Verdict, string Reason);

/// <summary>Stable rule names the decision trace and the refusal counts use.</summary>
public static class RuleNames
{
    public const string Consent = "consent";
    public const string RcsCapability = "rcs-capability";
    public const string WhatsAppWindow = "whatsapp-window";
    public const string QuietHours = "quiet-hours";
    public const string OpenHours = "open-hours";
    public const string Restricted = "restricted-period";
    public const string FrequencyCap = "frequency-cap";
    public const string Fallback = "fallback";
    public const string NoChannel = "no-channel";
}
