using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Media;
using Switchboard.Telephony.Rtp;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>
/// One live call as a media layer (speech recognition, text-to-speech, recording) sees it: play and stop audio,
/// send turns to the engine, transfer or hang up. The DTMF dialog uses the same surface.
/// </summary>
public interface ICallSession
{
    string CallId { get; }
    string Tenant { get; }
    /// <summary>The customer once the first turn resolved one.</summary>
    string? CustomerId { get; }
    AudioCodec Codec { get; }
    bool IsPlaying { get; }

    /// <summary>Plays 8 kHz 16-bit PCM, replacing what is playing; completes true at the end, false when stopped (barge-in) or hung up.</summary>
    Task<bool> PlayAsync(short[] pcm8kHz, CancellationToken cancellationToken = default);

    /// <summary>
    /// Plays audio that arrives in pieces (sentence by sentence), starting with the first; otherwise as
    /// <see cref="PlayAsync(short[], CancellationToken)"/>. A piece must not change once yielded: the same array (a cached
    /// prompt) is encoded once and its encoding shared by every call.
    /// </summary>
    async Task<bool> PlayAsync(IAsyncEnumerable<short[]> pcm8kHz, CancellationToken cancellationToken = default)
    {
        var all = new List<short>();
        await foreach (var piece in pcm8kHz.WithCancellation(cancellationToken)) all.AddRange(piece);
        return await PlayAsync([.. all], cancellationToken);
    }

    /// <summary>Barge-in: stops the current prompt at the next 20 ms tick.</summary>
    void StopPlayback();

    /// <summary>Sends a customer turn (recognised speech text, or a payload) to the engine and speaks the reply.</summary>
    Task<TurnResult?> SubmitTurnAsync(string? text, TurnPayload? payload = null, CancellationToken cancellationToken = default);

    Task HangUpAsync();

    /// <summary>Blind transfer (REFER) to <paramref name="targetUri"/> or the configured agent URI.</summary>
    Task TransferAsync(string? targetUri = null);

    /// <summary>True for a call we placed (a proactive call), false for one we answered.</summary>
    bool Outbound { get; }

    /// <summary>The address the engine knows the other party by (the dialled number on a call we placed); null when unknown.</summary>
    ChannelAddress? Address => null;

    /// <summary>What this call's prompts and replies are spoken with: the channel's prompts until <see cref="SpeakWith"/>.</summary>
    IPromptAudio Prompts { get; }

    /// <summary>Speaks this call's prompts and replies with <paramref name="prompts"/> from now on (the tenant persona's voice).</summary>
    void SpeakWith(IPromptAudio prompts);

    /// <summary>Receives each 20 ms frame of 8 kHz PCM as it is sent to the caller (prompts and silence), on the pacer: keep it short. Null removes it.</summary>
    void TapOutboundAudio(PcmFrameHandler? tap);
}

/// <summary>
/// The per-call seam for a speech layer: decoded inbound audio arrives here as 20 ms frames (160 samples, 8 kHz),
/// digits as they are keyed. Calls on the call's receive loop: return quickly (queue work elsewhere).
/// </summary>
public interface ICallMediaHandler : IAsyncDisposable
{
    void OnAudioFrame(ReadOnlySpan<short> pcm20Ms);

    void OnDigit(char digit);

    /// <summary>Runs before the call's first engine turn (a recording notice and consent question); the first turn waits for it.</summary>
    Task OnCallStartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Each engine reply before it is spoken; returns what to speak (by default <paramref name="spoken"/>, the rendered reply).</summary>
    string OnEngineReply(TurnResult result, string spoken) => spoken;

    /// <summary>A key the handler takes for itself (an answer to its own question) does not reach the dialog.</summary>
    bool TryTakeDigit(char digit) => false;
}

/// <summary>Creates the media handler for a call once it is answered; null leaves the call to the DTMF dialog alone.</summary>
public interface ICallMediaHandlerFactory
{
    ICallMediaHandler? Create(ICallSession call);
}
