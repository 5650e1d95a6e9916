using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Consent;

/// <summary>
/// Consent decisions per (channel, purpose), each with its full history. Pure: the customer grain owns the data
/// and persists it. Evidence is stored as given; callers pass message ids, never message text.
/// </summary>
public sealed class ConsentRegistry(Dictionary<string, List<ConsentChange>> entries)
{
    public const int MaxHistoryPerEntry = 50;

    public static string Key(Channel channel, ConsentPurpose purpose) => $"{channel.ToWire()}/{purpose.ToWire()}";

    public void Record(ConsentChange change)
    {
        var key = Key(change.Channel, change.Purpose);
        if (!entries.TryGetValue(key, out var history)) entries[key] = history = [];
        history.Add(change);
        if (history.Count > MaxHistoryPerEntry) history.RemoveRange(0, history.Count - MaxHistoryPerEntry);
    }

    public ConsentStatus StatusOf(Channel channel, ConsentPurpose purpose) =>
        entries.TryGetValue(Key(channel, purpose), out var h) && h.Count > 0 ? h[^1].Status : ConsentStatus.Unknown;

    public IReadOnlyList<ConsentChange> History(Channel channel, ConsentPurpose purpose) =>
        entries.TryGetValue(Key(channel, purpose), out var h) ? h : [];

    /// <summary>Explicit decisions win; with none, the tenant's policy decides.</summary>
    public ConsentDecision CanContact(Channel channel, ConsentPurpose purpose, ConsentPolicy policy, bool customerWroteOnChannel)
    {
        var history = History(channel, purpose);
        if (history.Count > 0)
        {
            var last = history[^1];
            return last.Status switch
            {
                ConsentStatus.Granted => new(true, last.Status, $"{purpose.ToWire()} on {channel.ToWire()} granted via {last.Source} at {last.At:O}"),
                ConsentStatus.Revoked => new(false, last.Status, $"{purpose.ToWire()} on {channel.ToWire()} revoked via {last.Source} at {last.At:O}"),
                _ => Implicit(channel, purpose, policy, customerWroteOnChannel),
            };
        }
        return Implicit(channel, purpose, policy, customerWroteOnChannel);
    }

    private static ConsentDecision Implicit(Channel channel, ConsentPurpose purpose, ConsentPolicy policy, bool wrote) => purpose switch
    {
        ConsentPurpose.Transactional when policy.TransactionalImpliedByInbound && wrote =>
            new(true, ConsentStatus.Unknown, $"no decision recorded; transactional messages implied because the customer contacted us on {channel.ToWire()}"),
        ConsentPurpose.Marketing when !policy.MarketingRequiresOptIn =>
            new(true, ConsentStatus.Unknown, "no decision recorded; tenant policy allows marketing without opt-in"),
        ConsentPurpose.CallRecording when !policy.RecordingRequiresOptIn =>
            new(true, ConsentStatus.Unknown, "no decision recorded; tenant policy allows recording without consent"),
        _ => new(false, ConsentStatus.Unknown, $"no {purpose.ToWire()} consent recorded for {channel.ToWire()}"),
    };
}
