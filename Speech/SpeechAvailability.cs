namespace Switchboard.Speech;

/// <summary>
/// Whether the voice channel can listen and speak on this host. When either is false the reason says why in one
/// sentence (logged once at start) and the voice dialog takes DTMF and plays recorded prompts instead.
/// </summary>
public sealed class SpeechAvailability(ISpeechToText recognizer, ITextToSpeech synthesizer)
{
    public bool CanRecognize => recognizer.IsAvailable;

    public bool CanSynthesize => synthesizer.IsAvailable;

    public string? RecognizerUnavailableReason => recognizer.UnavailableReason;

    public string? SynthesizerUnavailableReason => synthesizer.UnavailableReason;
}

/// <summary>The recogniser configured as "none": always unavailable, so voice turns take DTMF.</summary>
public sealed class NoSpeechToText(string reason) : ISpeechToText
{
    public string Engine => "none";

    public bool IsAvailable => false;

    public string? UnavailableReason => reason;

    public ValueTask<IRecognitionStream> BeginUtteranceAsync(Grammar.SpeechGrammar grammar, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"Speech recognition is unavailable: {reason}.");
}

/// <summary>The synthesiser configured as "none": always unavailable, so prompts come from recordings.</summary>
public sealed class NoTextToSpeech(string reason) : ITextToSpeech
{
    public string Engine => "none";

    public string DefaultVoice => "";

    public bool IsAvailable => false;

    public string? UnavailableReason => reason;

    public bool HasVoice(string voice) => false;

    public IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"Text-to-speech is unavailable: {reason}.");
}
