namespace Switchboard.Channels.Voice.Calls;

/// <summary>What a call's conversation asks of the signaling layer: end the call, or hand the caller on.</summary>
public interface ICallControl
{
    /// <summary>Hangs up (BYE), declines a ringing call (480) or cancels one we placed; false when the call is gone.</summary>
    Task<bool> HangUpAsync(string callId);

    /// <summary>Blind transfer with REFER (RFC 3515) to <paramref name="targetUri"/> or the configured agent URI.</summary>
    Task<bool> TransferAsync(string callId, string? targetUri = null);
}
