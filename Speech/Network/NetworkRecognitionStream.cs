using Switchboard.Speech.Audio;
using Switchboard.Speech.Grammar;

namespace Switchboard.Speech.Network;

/// <summary>One utterance for <see cref="NetworkSpeechToText"/>: the audio kept for the upload and fed to the embedded stream.</summary>
internal sealed class NetworkRecognitionStream(NetworkSpeechToText engine, SpeechGrammar grammar, IRecognitionStream? local) : IRecognitionStream
{
    private readonly List<short> _audio = new(TelephoneAudio.SampleRate * 4);
    private bool _ended;

    public async ValueTask<PartialHypothesis?> FeedAsync(ReadOnlyMemory<short> pcm8kHz, CancellationToken cancellationToken = default)
    {
        if (_ended) throw new InvalidOperationException("The utterance has ended; begin a new one.");
        _audio.AddRange(pcm8kHz.Span);
        return local is null ? null : await local.FeedAsync(pcm8kHz, cancellationToken);
    }

    public async ValueTask<RecognitionResult> EndAsync(CancellationToken cancellationToken = default)
    {
        if (_ended) throw new InvalidOperationException("The utterance has already ended.");
        _ended = true;
        var duration = TelephoneAudio.Duration(_audio.Count);
        // Both at once: the embedded search finishes while the upload is on its way.
        var embedded = local?.EndAsync(cancellationToken).AsTask();
        var transcript = await engine.TranscribeAsync(TelephoneWav.Encode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_audio)), cancellationToken);
        var fallback = embedded is null ? RecognitionResult.NoMatch(duration) : await embedded;
        if (transcript is null) return fallback;
        var value = NetworkTranscript.Interpret(grammar, transcript);
        var heard = SpokenText.Phrase(transcript);
        // The server gives no confidence: a transcript the turn can use counts as certain, one it cannot as no match.
        return value is null ? new RecognitionResult(heard, null, 0, duration) : new RecognitionResult(heard, value, 1, duration);
    }

    public async ValueTask DisposeAsync()
    {
        _ended = true;
        if (local is not null) await local.DisposeAsync();
    }
}
