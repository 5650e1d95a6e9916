using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Silo.Admin;

/// <summary>The admin API's JSON: enums as the lowercase wire names, text always tokenized.</summary>
public static class AdminContracts
{
    public sealed record ResolveResponse(string CustomerId);

    public sealed record ConsentRequest(string? Channel, string? Purpose, string? Status, string? Source, string? Evidence);

    public sealed record SessionTokenRequest(string? Purpose, int? LifetimeMinutes);

    public sealed record SessionTokenResponse(string Token, DateTimeOffset ExpiresAt);

    public sealed record PiiResolveRequest(string? Token, string? Purpose, string? Actor);

    public sealed record TurnRequest(string? Channel, string? Address, string? AddressKind, string? MessageId, string? Text);

    public sealed record TurnResponse(string CustomerId, bool Duplicate, string Text, object Reply);

    public static object Customer(CustomerView v) => new
    {
        tenant = v.Tenant,
        customerId = v.CustomerId,
        ephemeral = new
        {
            activeFlow = v.Ephemeral.ActiveFlow,
            pendingSlot = v.Ephemeral.PendingSlot,
            pendingStep = v.Ephemeral.PendingStep,
            flowChannel = v.Ephemeral.FlowChannel?.ToWire(),
            slots = v.Ephemeral.Slots.ToDictionary(kv => kv.Key, kv => new { value = kv.Value.Value, display = kv.Value.Display, filledOn = kv.Value.FilledOn.ToWire(), filledAt = kv.Value.FilledAt }),
            cart = v.Ephemeral.Cart,
            lastInputs = v.Ephemeral.LastInputs,
            lastChannel = v.Ephemeral.LastChannel?.ToWire(),
            updatedAt = v.Ephemeral.UpdatedAt,
        },
        persistentIntent = new
        {
            history = v.PersistentIntent.History.Select(h => new { intent = h.Intent, resolution = h.Resolution, channel = h.Channel.ToWire(), at = h.At }),
            preferredChannel = v.PersistentIntent.PreferredChannel?.ToWire(),
            turnsByChannel = v.PersistentIntent.TurnsByChannel.ToDictionary(kv => kv.Key.ToWire(), kv => kv.Value),
            channelSwitches = v.PersistentIntent.ChannelSwitches,
            switchesWithRepeat = v.PersistentIntent.SwitchesWithRepeat,
        },
        systemMetadata = new
        {
            crmProfile = v.System.CrmProfile,
            verification = new
            {
                verified = v.System.Verification.Verified,
                method = v.System.Verification.Method,
                channel = v.System.Verification.Channel?.ToWire(),
                verifiedAt = v.System.Verification.VerifiedAt,
                mfaPassed = v.System.Verification.MfaPassed,
            },
            sessionTokens = v.System.SessionTokens.Select(t => new { tokenId = t.TokenId, purpose = t.Purpose, issuedAt = t.IssuedAt, expiresAt = t.ExpiresAt }),
            createdAt = v.System.CreatedAt,
        },
        consent = v.Consent.Select(c => new
            {
                channel = c.Channel.ToWire(),
                purpose = c.Purpose.ToWire(),
                status = c.Status.ToWire(),
                history = c.History.Select(h => new { status = h.Status.ToWire(), source = h.Source, evidence = h.Evidence, at = h.At }),
            }),
        addresses = v.Addresses.Select(a => new { kind = a.Kind.ToWire(), value = a.Value }),
        piiTokens = v.PiiTokens,
        transcriptTurns = v.TranscriptTurns,
    };

    public static object Transcript(TranscriptPage page) => new
    {
        summary = new
        {
            foldedTurns = page.Summary.FoldedTurns,
            firstTurnAt = page.Summary.FirstTurnAt,
            lastFoldedAt = page.Summary.LastFoldedAt,
            turnsByChannel = page.Summary.TurnsByChannel.ToDictionary(kv => kv.Key.ToWire(), kv => kv.Value),
        },
        turns = page.Turns.Select(t => new
        {
            channel = t.Channel.ToWire(),
            direction = t.Direction == Direction.Inbound ? "inbound" : "outbound",
            time = t.Time,
            text = t.Text,
            messageId = t.MessageId,
        }),
    };

    public static object Reply(EngineReply r) => new
    {
        text = r.Text,
        style = r.Style.ToString().ToLowerInvariant(),
        options = r.OptionList.Select(o => new { id = o.Id, title = o.Title, description = o.Description }),
        card = r.Card,
        action = r.Action is null ? null : new { kind = r.Action.Kind.ToString(), target = r.Action.Target, sessionToken = r.Action.SessionToken, callCode = r.Action.CallCode, summary = r.Action.Summary },
    };

    public static object Decision(ConsentDecision d) => new { allowed = d.Allowed, status = d.Status.ToWire(), reason = d.Reason };

    public static string Wire(this AddressKind kind) => kind.ToWire();
}
