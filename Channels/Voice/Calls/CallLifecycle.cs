using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Addressing;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// What every call goes through whichever side placed it: media starts, the conversation starts, a BYE ends it, and
/// media and conversation are released. Callers hold the signaling lock.
/// </summary>
public sealed class CallLifecycle(
    VoiceOptions options,
    SipDialogs<VoiceCall> dialogs,
    MediaPacer pacer,
    TenantDirectory tenants,
    CallConversationServices conversations,
    ICallControl control,
    SessionTimers<VoiceCall> sessionTimers,
    SignalingCounters counters,
    ILogger logger)
{
    private readonly IPAddress _mediaAddress = IPAddress.Parse(options.Advertised);
    /// <summary>When each conversation started, for the call length the analytics event carries.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _answeredAt = new();

    public void StartMedia(VoiceCall call)
    {
        call.Media!.Start();
        pacer.Add(call.Media);
    }

    public void StartConversation(VoiceCall call, TurnPayload marker, ChannelAddress? address = null)
    {
        var tenant = tenants.Find(call.Tenant) ?? tenants.Default;
        var caller = address ?? CallerAddress(call, tenant.DefaultRegion);
        var conversation = new CallConversation(call.CallId, call.Tenant, caller, marker, call.Media!, conversations, control, call.Outbound)
        {
            SessionToken = call.Invite is { } invite ? SessionTokenOf(invite) : null,
        };
        call.Conversation = conversation;
        conversation.Start();
        _answeredAt[call.CallId] = conversations.Time.GetTimestamp();
        PublishCallEvent(call, Grains.Interfaces.Analytics.InteractionKind.CallAnswered, call.Outbound ? "outbound" : "inbound");
    }

    /// <summary>Call placed / answered / completed for analytics: tenant and a hash of the Call-ID, never the numbers.</summary>
    public void PublishCallEvent(VoiceCall call, Grains.Interfaces.Analytics.InteractionKind kind, string outcome, double? durationMs = null)
    {
        if (conversations.Analytics is not { } analytics) return;
        try
        {
            var id = $"{kind}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(call.CallId)).AsSpan(0, 12))}";
            analytics.Publish(new(id, kind, call.Tenant, "", Channel.Voice, conversations.Time.GetUtcNow(), Outcome: outcome, DurationMs: durationMs));
        }
        catch (Exception)
        {
            // Analytics never breaks a call.
        }
    }

    /// <summary>Ends the call from our side with BYE.</summary>
    public void SendBye(VoiceCall call)
    {
        if (call.State == CallState.Ended) return;
        dialogs.SendRequest(call, "BYE", IgnoredOutcome.Instance);
        counters.LocalHangups++;
        EndCall(call, "local hang-up");
    }

    /// <summary>The 2xx went unacknowledged for 64·T1: RFC 3261 §13.3.1.4 says confirm and end the dialog with BYE.</summary>
    public void OnNoAck(VoiceCall call)
    {
        logger.LogWarning("No ACK for call {CallRef}; hanging up", CallReference.For(call.CallId));
        SendBye(call);
    }

    public void EndCall(VoiceCall call, string why)
    {
        if (call.State == CallState.Ended) return;
        call.State = CallState.Ended;
        call.AnswerTimer?.Dispose();
        call.OkRetransmitter?.Stop();
        sessionTimers.Stop(call);
        dialogs.Remove(call);
        var media = call.Media;
        var conversation = call.Conversation;
        if (media is not null) pacer.Remove(media);
        if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("Call {CallRef} ended: {Reason}", CallReference.For(call.CallId), why);
        if (_answeredAt.TryRemove(call.CallId, out var answered))
            PublishCallEvent(call, Grains.Interfaces.Analytics.InteractionKind.CallCompleted, "completed", conversations.Time.GetElapsedTime(answered).TotalMilliseconds);
        // Disposal waits for loops to stop: never on the signaling lock or inside the call's own turn.
        _ = Task.Run(async () =>
        {
            if (conversation is not null) await conversation.DisposeAsync();
            if (media is not null) await media.DisposeAsync();
        });
    }

    /// <summary>The SDP connection address, or our own address when it is missing or 0.0.0.0.</summary>
    public IPAddress ParseOrLoopback(string address) =>
        IPAddress.TryParse(address, out var ip) && !ip.Equals(IPAddress.Any) ? ip : _mediaAddress;

    /// <summary>
    /// A session token from the WhatsApp escalation: the <c>X-Switchboard-Token</c> header, or a <c>token</c> parameter on
    /// the Request-URI (what a "call us" SIP link can carry).
    /// </summary>
    private static string? SessionTokenOf(SipMessage invite)
    {
        if (invite.Header(VoiceSignaling.SessionTokenHeader) is { Length: > 0 and <= 512 } header) return header.Trim();
        var uri = invite.RequestUri!;
        var at = uri.IndexOf('@');
        foreach (var part in uri[(at < 0 ? 0 : at)..].Split(';').Skip(1))
            if (part.StartsWith("token=", StringComparison.OrdinalIgnoreCase) && part.Length is > 6 and <= 518) return Uri.UnescapeDataString(part[6..]);
        return null;
    }

    /// <summary>P-Asserted-Identity, else From; a phone number in E.164 when it is one, otherwise the call is anonymous (keyed by Call-ID).</summary>
    private static ChannelAddress CallerAddress(VoiceCall call, string region)
    {
        var invite = call.Invite!;
        foreach (var candidate in invite.HeaderValues(SipHeaderNames.PAssertedIdentity).Append(invite.From))
        {
            var uri = NameAddr.Uri(candidate);
            var user = NameAddr.User(uri);
            if (user.Length == 0 || user.Equals("anonymous", StringComparison.OrdinalIgnoreCase)) continue;
            try
            {
                return new ChannelAddress(AddressKind.Phone, AddressNormalizer.ToE164(uri, region));
            }
            catch (InvalidAddressException) { }
        }
        return new ChannelAddress(AddressKind.SipCallId, call.CallId);
    }
}
