using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;
using Switchboard.Telephony.Transactions;
using Switchboard.Telephony.Transport;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// Blind transfer (RFC 3515): REFER with Refer-To and Referred-By; the transferee's NOTIFY sipfrag reports progress,
/// a final 2xx ends our leg with BYE, a failure gives the caller back to the conversation. Callers hold the signaling lock.
/// </summary>
public sealed class CallTransfer(
    VoiceOptions options,
    SipTransactions transactions,
    SipDialogs<VoiceCall> dialogs,
    CallLifecycle lifecycle,
    SignalingCounters counters,
    ILogger logger)
{
    /// <summary>The explicit target, else the configured agent URI.</summary>
    public string TargetOrAgent(string? targetUri)
    {
        var target = targetUri ?? options.AgentUri;
        if (string.IsNullOrWhiteSpace(target)) throw new InvalidOperationException("No transfer target: set Sip:AgentUri or give a target.");
        return target;
    }

    /// <summary>Sends the REFER; completes true when the transferee accepted it (2xx).</summary>
    public Task<bool> Refer(VoiceCall call, string target)
    {
        if (call.State != CallState.Established) return Task.FromResult(false);
        var referral = new Referral(call);
        call.TransferPending = true;
        logger.LogInformation("Transferring call {CallRef}", CallReference.For(call.CallId));
        dialogs.SendRequest(call, "REFER", referral,
        [
            new SipHeader(SipHeaderNames.ReferTo, target.StartsWith('<') ? target : $"<{target}>"),
            new SipHeader("Referred-By", $"<sip:switchboard@{dialogs.LocalHostPort}>"),
        ]);
        return referral.Accepted;
    }

    public void OnNotify(SipPeer from, SipMessage notify)
    {
        if (dialogs.Match(notify) is not { } call)
        {
            transactions.Respond(from, notify, 481, "Call/Transaction Does Not Exist");
            return;
        }
        transactions.Respond(from, notify, 200, "OK");
        // RFC 3515: the sipfrag reports the transfer's progress; a final 2xx means the caller reached the agent.
        var frag = Encoding.UTF8.GetString(notify.Body.Span);
        if (!call.TransferPending || !frag.StartsWith("SIP/2.0 ", StringComparison.Ordinal) || frag.Length < 11
            || !int.TryParse(frag.AsSpan(8, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 200)
            return;
        call.TransferPending = false;
        if (status < 300)
        {
            counters.Transfers++;
            lifecycle.SendBye(call);
            return;
        }
        // The agent's side failed (busy, no answer, declined): the caller is still with us.
        logger.LogInformation("Transfer of call {CallRef} failed at the agent's side ({Status})", CallReference.For(call.CallId), status);
        call.Conversation?.TransferFailed();
    }

    /// <summary>The REFER's client transaction: its final response says whether the transferee took it on.</summary>
    private sealed class Referral(VoiceCall call) : IClientTransactionUser
    {
        private readonly TaskCompletionSource<bool> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<bool> Accepted => _accepted.Task;

        public void OnFinal(SipMessage response)
        {
            if (response.StatusCode >= 300) call.TransferPending = false;
            _accepted.TrySetResult(response.StatusCode is >= 200 and < 300);
        }

        public void OnTimeout()
        {
            call.TransferPending = false;
            _accepted.TrySetResult(false);
        }
    }
}
