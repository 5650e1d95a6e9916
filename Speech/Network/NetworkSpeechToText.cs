using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Switchboard.Speech.Grammar;

namespace Switchboard.Speech.Network;

#pragma warning disable MEAI001 // Microsoft.Extensions.AI's speech abstractions are marked experimental in 10.11.

/// <summary>
/// Recognition by a speech server in the customer's network (<see cref="NetworkSpeechOptions"/>), with the embedded engine
/// beside it: every utterance is decoded by both, the embedded one as the audio arrives (its partial hypotheses drive
/// barge-in as before), the server once the utterance ends (one WAV upload through <see cref="ISpeechToTextClient"/>).
/// The server's transcript wins when it comes within <see cref="NetworkSpeechOptions.RecognitionTimeoutSeconds"/>;
/// otherwise, or on any error, the embedded result is already there and is returned, so a slow or absent server costs
/// the caller at most the timeout. The transcript is read through the turn's grammar (<see cref="NetworkTranscript"/>).
/// </summary>
public sealed class NetworkSpeechToText(ISpeechToText embedded, ISpeechToTextClient client, NetworkSpeechOptions options, ILogger logger) : ISpeechToText
{
    private readonly BoundedServerCalls _calls = new(options.RecognitionTimeoutSeconds, logger, "Network speech recognition failed; the embedded engine answered");

    /// <summary>The embedded engine that decodes beside the server and answers when it does not.</summary>
    public ISpeechToText Embedded => embedded;

    public string Engine => "network+" + embedded.Engine;

    /// <summary>Available while either side is: the server can still answer when the embedded engine is missing.</summary>
    public bool IsAvailable => true;

    public string? UnavailableReason => null;

    /// <summary>Utterances the server's transcript answered.</summary>
    public long Answered => _calls.Answered;

    /// <summary>Utterances the embedded engine answered because the server failed or was too slow.</summary>
    public long FellBack => _calls.FellBack;

    public async ValueTask<IRecognitionStream> BeginUtteranceAsync(SpeechGrammar grammar, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        var local = embedded.IsAvailable ? await embedded.BeginUtteranceAsync(grammar, cancellationToken) : null;
        return new NetworkRecognitionStream(this, grammar, local);
    }

    /// <summary>The server's transcript of one utterance, or null when it failed or did not answer in time.</summary>
    internal Task<string?> TranscribeAsync(byte[] wav, CancellationToken cancellationToken) => _calls.TryAsync<string>(async bounded =>
    {
        using var audio = new MemoryStream(wav, writable: false);
        var response = await client.GetTextAsync(audio, new SpeechToTextOptions
        {
            ModelId = options.SpeechToTextModel,
            SpeechLanguage = options.Language,
            SpeechSampleRate = Audio.TelephoneAudio.SampleRate,
        }, bounded);
        return response.Text ?? "";
    }, cancellationToken);
}
