using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Rules;

public enum SendKind
{
    FreeForm,
    Template,
    Call,
}

/// <summary>What the rules decided for one send: go on a channel now, wait until a time, or no channel may be used.</summary>
public sealed record SendDecision(SendDecisionKind Kind, JourneyChannel? Channel, SendKind SendKind, DateTimeOffset? Until, IReadOnlyList<TraceEntry> Trace);

public enum SendDecisionKind
{
    Send,
    Defer,
    Refuse,
}

/// <summary>
/// Every send asks these rules, in this order: consent per candidate channel (the registry's answer), RCS capability,
/// WhatsApp's 24-hour window (template outside it); the first channel that passes is taken (a fallback when it is not
/// the first), then time rules (restricted periods, quiet hours, open hours) and frequency caps defer it when needed.
/// A deferred send is decided again from scratch when it is due, so a consent revoked meanwhile still counts.
/// </summary>
public static class SendRules
{
    public static SendDecision Decide(
        TenantJourneyRules rules, IReadOnlyList<JourneyChannel> candidates, string purpose, bool hasTemplate, bool hasMessage,
        ICustomerFacts facts, DateTimeOffset now)
    {
        var trace = new List<TraceEntry>(6);
        JourneyChannel? chosen = null;
        var kind = SendKind.FreeForm;
        foreach (var channel in candidates)
        {
            var consent = facts.CanContact(channel, purpose);
            if (!consent.Allowed) { trace.Add(new(RuleNames.Consent, channel, Verdict.Refused, consent.Reason)); continue; }
            trace.Add(new(RuleNames.Consent, channel, Verdict.Allowed, consent.Reason));
            if (channel == JourneyChannel.Rcs && facts.RcsCapable == false)
            {
                trace.Add(new(RuleNames.RcsCapability, channel, Verdict.Refused, "handset has no RCS"));
                continue;
            }
            if (channel == JourneyChannel.Voice) kind = SendKind.Call;
            else if (channel == JourneyChannel.WhatsApp)
            {
                var inWindow = facts.LastInboundAt is { } last && now - last < TenantJourneyRules.WhatsAppWindow;
                if (inWindow && hasMessage) { kind = SendKind.FreeForm; trace.Add(new(RuleNames.WhatsAppWindow, channel, Verdict.Allowed, "inside the 24h window: free-form")); }
                else if (hasTemplate) { kind = SendKind.Template; trace.Add(new(RuleNames.WhatsAppWindow, channel, Verdict.Allowed, inWindow ? "template (no free-form text)" : "outside the 24h window: approved template")); }
                else { trace.Add(new(RuleNames.WhatsAppWindow, channel, Verdict.Refused, "outside the 24h window and no template")); continue; }
            }
            else if (!hasMessage)
            {
                trace.Add(new(RuleNames.WhatsAppWindow, channel, Verdict.Refused, "a template only fits WhatsApp"));
                continue;
            }
            chosen = channel;
            break;
        }
        if (chosen is null)
        {
            trace.Add(new(RuleNames.NoChannel, null, Verdict.Refused, "no candidate channel is allowed"));
            return new(SendDecisionKind.Refuse, null, kind, null, trace);
        }
        if (candidates.Count > 0 && candidates[0] != chosen)
            trace.Add(new(RuleNames.Fallback, chosen, Verdict.Fallback, $"{candidates[0].ToWire()} -> {chosen.Value.ToWire()}"));

        var at = now;
        string? rule = null, reason = null;
        for (var i = 0; i < 64; i++)
        {
            var moved = false;
            if (ContactTime.Closed(rules, chosen.Value, facts.Zones, at) is { } closed)
            {
                (rule, reason) = (closed.Rule, closed.Reason);
                at = ContactTime.NextOpen(rules, chosen.Value, facts.Zones, closed.Reopens);
                moved = true;
            }
            foreach (var cap in rules.Caps)
                if (cap.NextRoom(facts.Touches, purpose, at) is { } room)
                {
                    (rule, reason) = (RuleNames.FrequencyCap, $"{cap.Max} {cap.Purpose} per {Durations.Format(cap.Window)}");
                    at = room;
                    moved = true;
                }
            if (!moved) break;
        }
        if (at > now)
        {
            trace.Add(new(rule!, chosen, Verdict.Deferred, $"{reason}: until {at:yyyy-MM-ddTHH:mm:ssZ}"));
            return new(SendDecisionKind.Defer, chosen, kind, at, trace);
        }
        trace.Add(new("send", chosen, Verdict.Allowed, kind == SendKind.Template ? "template" : kind == SendKind.Call ? "call" : "free-form"));
        return new(SendDecisionKind.Send, chosen, kind, null, trace);
    }
}
