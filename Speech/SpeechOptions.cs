namespace Switchboard.Speech;

/// <summary>Section <c>Speech</c>: which engines speak and listen.</summary>
public sealed class SpeechOptions
{
    public const string Section = "Speech";

    /// <summary>"pocketsphinx" (embedded, offline) or "none" (DTMF only). A speech server in the customer's network (<c>Speech:Network</c>) works in front of it.</summary>
    public string Recognizer { get; set; } = "pocketsphinx";

    /// <summary>
    /// "flite" (default: the statistical voice of <c>Speech:Flite:Voice</c>, falling back to espeak-ng when it is not
    /// installed), "espeak-ng" (formant, robotic) or "none" (recorded prompts only).
    /// </summary>
    public string Synthesizer { get; set; } = "flite";

    /// <summary>Budget of the synthesised-prompt cache in seconds of audio.</summary>
    public int PromptCacheSeconds { get; set; } = 1800;
}
