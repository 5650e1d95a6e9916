namespace Switchboard.Speech.PocketSphinx;

/// <summary>Section <c>Speech:PocketSphinx</c>.</summary>
public sealed class PocketSphinxOptions
{
    public const string Section = "Speech:PocketSphinx";

    /// <summary>Directory with the acoustic model <c>en-us/</c> and <c>cmudict-en-us.dict</c> (Debian pocketsphinx-en-us).</summary>
    public string ModelDirectory { get; set; } = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>Decoders loaded at start (each ~0.5 s to load, ~30 MB): calls then never wait for a load.</summary>
    public int WarmDecoders { get; set; } = 2;

    /// <summary>Most decoders alive at once, i.e. most utterances recognised at the same time; more wait for one.</summary>
    public int MaxDecoders { get; set; } = 32;

    /// <summary>Compiled grammars each decoder keeps (a turn's grammar is reused on every call reaching that turn).</summary>
    public int GrammarsPerDecoder { get; set; } = 32;

    /// <summary>More pocketsphinx arguments, as on its command line ("-beam", "1e-60"), appended after ours.</summary>
    public string[] ExtraArguments { get; set; } = [];

    /// <summary>
    /// λ of an open turn's model (<see cref="PocketSphinxSpeechToText.OpenTurn"/>): the bot's domain model's share when
    /// it is interpolated with the generic English model. 1 uses the domain model alone (no generic model is loaded).
    /// </summary>
    public double OpenTurnDomainWeight { get; set; } = LanguageModel.InterpolatedLanguageModel.DefaultDomainWeight;

    /// <summary>
    /// pocketsphinx's language weight (<c>-lw</c>) for the interpolated open-turn search only; null keeps the decoder's
    /// (6.5, or <see cref="ExtraArguments"/>). The first- and second-pass weights (<c>-fwdflatlw</c>, <c>-bestpathlw</c>)
    /// are scaled by the same factor. Grammar turns are unaffected. 8: 80 and 79 of 96 airline open-turn sentences
    /// right against 74 and 76 at 6.5 in the same runs (docs/speech.md).
    /// </summary>
    public double? OpenTurnLanguageWeight { get; set; } = 8;

    /// <summary>pocketsphinx's word insertion penalty (<c>-wip</c>) for the interpolated open-turn search only; null keeps the decoder's (0.65).</summary>
    public double? OpenTurnInsertionPenalty { get; set; }

    /// <summary>
    /// Interpolated open-turn models each decoder keeps (one per bot; each ~40 MB, on top of the generic model's ~33 MB
    /// read once per decoder); the least recently used is rebuilt (~0.5 s) when its bot's caller comes back.
    /// </summary>
    public int OpenTurnModelsPerDecoder { get; set; } = 4;

    /// <summary>
    /// Grammar turns only: a result is rejected (a no-match, so the turn re-prompts) when its grammar path scores worse
    /// than a free phone loop over the same audio by more than this, per 10 ms frame of its words, in pocketsphinx's
    /// log units; the check runs a second decoder (from a pool of its own, as large as this one) beside each grammar
    /// utterance, about 4× the CPU per frame, no wait at the end. null (the default): no
    /// check, every grammar result is taken. Off by default because on synthetic voices it costs right answers: at 25,
    /// 52 of 128 out-of-grammar sentences rejected on flite's voices (0 without) with 72/72 answers kept, but the voice
    /// agent's turn grammars over 8 espeak-ng voices fall from 146 to 131 of 152 (docs/speech.md, "Rejection").
    /// </summary>
    public double? RejectionMargin { get; set; }

    /// <summary>The phonetic n-gram model shipped beside the acoustic model, for the phone loop of <see cref="RejectionMargin"/>.</summary>
    public string PhoneLanguageModelPath => Path.Combine(ModelDirectory, "en-us-phone.lm.bin");

    public string AcousticModelPath => Path.Combine(ModelDirectory, "en-us");

    public string DictionaryPath => Path.Combine(ModelDirectory, "cmudict-en-us.dict");

    /// <summary>The generic English model shipped beside the acoustic model (27 MB; see docs/speech.md).</summary>
    public string GenericLanguageModelPath => Path.Combine(ModelDirectory, "en-us.lm.bin");
}
