using System.Globalization;
using System.Security.Cryptography;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// Reliable provisional responses (RFC 3262, 100rel): when the caller supports or requires 100rel, our 180 carries
/// <c>Require: 100rel</c> and an RSeq and is retransmitted (T1 doubling) until the PRACK that names it, or until the final
/// response. A PRACK gets 200; one that names nothing pending gets 481. Callers hold the signaling lock.
/// </summary>
public sealed class ReliableProvisionals(SipTransactions transactions, SipDialogs<VoiceCall> dialogs)
{
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public static bool PeerSupports100rel(SipMessage request) =>
        request.HeaderValues(SipHeaderNames.Supported).Concat(request.HeaderValues(SipHeaderNames.Require))
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Any(t => t.Equals("100rel", StringComparison.OrdinalIgnoreCase));

    /// <summary>Sends a provisional response on the INVITE's transaction, reliably when the caller supports 100rel.</summary>
    public void Send(VoiceCall call, ServerInviteTransaction tx, int status, string reason, IEnumerable<SipHeader> headers)
    {
        var invite = call.Invite!;
        if (!PeerSupports100rel(invite))
        {
            transactions.Reply(tx, SipWriter.Response(invite, status, reason, tx.Peer, call.LocalTag, headers, copyRecordRoute: true), status);
            return;
        }
        var rseq = (_pending.TryGetValue(call.CallId, out var previous) ? previous.RSeq : RandomNumberGenerator.GetInt32(1, 1 << 30)) + 1;
        previous?.Retransmitter.Stop();
        var response = SipWriter.Response(invite, status, reason, tx.Peer, call.LocalTag,
            [.. headers, new SipHeader(SipHeaderNames.Require, "100rel"), new SipHeader(SipHeaderNames.RSeq, rseq.ToString(CultureInfo.InvariantCulture))],
            copyRecordRoute: true);
        transactions.Reply(tx, response, status);
        var retransmitter = new Retransmitter(transactions.Time, () => transactions.Send(tx.Peer, response), () =>
        {
            lock (transactions.Gate) _pending.Remove(call.CallId);
        }, capAtT2: false, retransmit: !tx.Peer.Reliable);
        _pending[call.CallId] = new Pending(rseq, invite.CSeqNumber, retransmitter);
    }

    /// <summary>The final response is going out: no more provisional retransmissions.</summary>
    public void Finish(VoiceCall call)
    {
        if (_pending.Remove(call.CallId, out var pending)) pending.Retransmitter.Stop();
    }

    /// <summary>A PRACK (RFC 3262 §7.2): 200 when its RAck names our pending provisional response, else 481.</summary>
    public void OnPrack(SipPeer from, SipMessage prack)
    {
        var rack = prack.Header(SipHeaderNames.RAck)?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (dialogs.Match(prack) is not { } call || rack is not { Length: 3 }
            || !_pending.TryGetValue(call.CallId, out var pending)
            || rack[0] != pending.RSeq.ToString(CultureInfo.InvariantCulture) || rack[1] != pending.CSeq.ToString(CultureInfo.InvariantCulture)
            || !rack[2].Equals("INVITE", StringComparison.Ordinal))
        {
            transactions.Respond(from, prack, 481, "Call/Transaction Does Not Exist");
            return;
        }
        pending.Retransmitter.Stop();
        _pending.Remove(call.CallId);
        transactions.Respond(from, prack, 200, "OK");
    }

    private sealed record Pending(int RSeq, long CSeq, Retransmitter Retransmitter);
}
