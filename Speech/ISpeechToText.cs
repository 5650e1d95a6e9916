using Switchboard.Speech.Grammar;

namespace Switchboard.Speech;

/// <summary>
/// Speech recognition for a voice turn. One utterance at a time per stream: begin it with the grammar of what the dialog
/// expects, feed 20 ms frames of 8 kHz 16-bit mono PCM as they arrive, read partial hypotheses, end it for the final
/// result. The embedded engine is pocketsphinx; a network engine can implement the same contract.
/// </summary>
public interface ISpeechToText
{
    /// <summary>Engine name for logs and metrics ("pocketsphinx").</summary>
    string Engine { get; }

    /// <summary>False when the engine cannot run here (native library or model missing); callers then use DTMF only.</summary>
    bool IsAvailable { get; }

    /// <summary>Why the engine is unavailable, in one plain sentence; null when available.</summary>
    string? UnavailableReason { get; }

    /// <summary>Starts recognising one utterance constrained by <paramref name="grammar"/>.</summary>
    ValueTask<IRecognitionStream> BeginUtteranceAsync(SpeechGrammar grammar, CancellationToken cancellationToken = default);
}

/// <summary>One utterance being recognised. Dispose returns engine resources (a pooled decoder) even when not ended.</summary>
public interface IRecognitionStream : IAsyncDisposable
{
    /// <summary>
    /// Feeds 8 kHz PCM (any length; 160 samples per 20 ms frame on a call). Returns a partial hypothesis when it changed.
    /// The memory is the caller's again once the returned task completes (callers reuse their frame buffers): a stream
    /// copies what it keeps.
    /// </summary>
    ValueTask<PartialHypothesis?> FeedAsync(ReadOnlyMemory<short> pcm8kHz, CancellationToken cancellationToken = default);

    /// <summary>Ends the utterance and returns the final result. Feeding after this is an error.</summary>
    ValueTask<RecognitionResult> EndAsync(CancellationToken cancellationToken = default);
}

/// <summary>The best guess so far while the customer is still speaking.</summary>
public sealed record PartialHypothesis(string Text);

/// <summary>
/// The final recognition of an utterance. <see cref="Text"/> is what was heard (grammar words, lower case);
/// <see cref="Value"/> is its meaning in the grammar (the menu option, "yes", the digit string) or null for no match.
/// </summary>
public sealed record RecognitionResult(string Text, string? Value, double Confidence, TimeSpan AudioDuration)
{
    public bool IsNoMatch => Value is null;

    public static RecognitionResult NoMatch(TimeSpan audio) => new("", null, 0, audio);
}
