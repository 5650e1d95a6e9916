namespace Switchboard.Speech.EspeakNg;

/// <summary>Section <c>Speech:EspeakNg</c>.</summary>
public sealed class EspeakNgOptions
{
    public const string Section = "Speech:EspeakNg";

    /// <summary>espeak-ng voice name, with an optional variant ("en-us", "en", "en+f3", "en-gb-x-rp").</summary>
    public string Voice { get; set; } = "en-us";

    /// <summary>Words per minute (espeak-ng's default is 175; a little slower is clearer on the phone).</summary>
    public int WordsPerMinute { get; set; } = 160;
}
