namespace Switchboard.Speech.Flite;

/// <summary>Section <c>Speech:Flite</c>.</summary>
public sealed class FliteOptions
{
    public const string Section = "Speech:Flite";

    /// <summary>
    /// The voice when a request names none: <c>rms</c> (statistical, male; the default: the most intelligible on
    /// telephone audio here, see docs/speech.md), <c>slt</c> (statistical, female), <c>awb</c> (statistical, Scottish
    /// male), <c>kal16</c> or <c>kal</c> (diphone, robotic).
    /// </summary>
    public string Voice { get; set; } = "rms";
}
