using System.Globalization;
using Switchboard.Speech.Grammar;
using static Switchboard.Speech.PocketSphinx.PocketSphinxNative;

namespace Switchboard.Speech.LanguageModel;

/// <summary>
/// An open-turn model that interpolates the bot's domain trigram model (<see cref="DomainLanguageModel"/>) linearly
/// with the generic English model shipped with the acoustic model (Debian pocketsphinx-en-us, <c>en-us.lm.bin</c>):
/// P(w | h) = λ·P_domain(w | h) + (1 − λ)·P_generic(w | h), λ = <see cref="DomainWeight"/> (0.8 by default). The domain
/// model alone over-commits to its own phrases (it cannot say what the bot's examples never said); the generic one
/// alone does not know which of its many words a caller of this bot says. Built in the decoder as a pocketsphinx
/// language-model set (<c>ngram_model_set_init</c> with weights) on the generic model, which each decoder loads once
/// and shares between all the sets it builds (see docs/speech.md).
/// </summary>
public sealed class InterpolatedLanguageModel
{
    /// <summary>λ: 0.7, 0.8 and 0.9 all got 75 of 96 airline open-turn sentences right; 0.8 had the lowest WER (docs/speech.md).</summary>
    public const double DefaultDomainWeight = 0.8;

    public InterpolatedLanguageModel(DomainLanguageModel domain, string genericModelFile, double domainWeight = DefaultDomainWeight)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(genericModelFile);
        if (!(domainWeight is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(domainWeight), domainWeight, "The domain model's weight must be between 0 and 1 (exclusive).");
        Domain = domain;
        GenericModelFile = genericModelFile;
        DomainWeight = domainWeight;
        Key = string.Create(CultureInfo.InvariantCulture, $"{domain.Key}-i{domainWeight:0.###}-{Path.GetFileName(genericModelFile)}");
    }

    public DomainLanguageModel Domain { get; }

    /// <summary>The generic model (ARPA or pocketsphinx binary), e.g. <c>/usr/share/pocketsphinx/model/en-us/en-us.lm.bin</c>.</summary>
    public string GenericModelFile { get; }

    /// <summary>λ, the domain model's share of the probability.</summary>
    public double DomainWeight { get; }

    /// <summary>Identity of the combination (domain content, λ, generic file): decoders keep built sets by it.</summary>
    public string Key { get; }

    /// <summary>An open-turn grammar on this model (the domain model's ARPA text is written as <see cref="DomainLanguageModel.ToGrammar"/> does).</summary>
    public SpeechGrammar ToGrammar(string name, string? directory = null) =>
        SpeechGrammar.Interpolated(name, Domain.ToGrammar(name, directory).LanguageModelFile!, GenericModelFile, DomainWeight, Key);

    /// <summary>
    /// Reads the domain model at <paramref name="domainFile"/> and builds the interpolated set with
    /// <paramref name="generic"/> (a model already read with the same log base). Returns the set, holding one
    /// reference the caller frees (<c>ngram_model_free</c>) once the decoder took its own with <c>ps_set_lm</c>.
    /// </summary>
    internal static IntPtr CreateSet(IntPtr config, IntPtr logMath, IntPtr generic, string domainFile, double domainWeight)
    {
        var domain = ngram_model_read(config, domainFile, NgramAuto, logMath);
        if (domain == IntPtr.Zero) throw new InvalidOperationException($"pocketsphinx could not read the language model {Path.GetFileName(domainFile)}.");
        try
        {
            // The set retains both models (sphinxbase 5prealpha), so our reference to the domain model is dropped below.
            var set = ngram_model_set_init(config, [domain, generic], ["domain", "generic"],
                [(float)domainWeight, (float)(1 - domainWeight)], 2);
            return set != IntPtr.Zero ? set : throw new InvalidOperationException("pocketsphinx could not build the interpolated language model set.");
        }
        finally
        {
            ngram_model_free(domain);
        }
    }

    /// <summary>Reads a model once for a decoder (<paramref name="logMath"/> is the decoder's, so sets built on it match).</summary>
    internal static IntPtr ReadGeneric(IntPtr config, IntPtr logMath, string file)
    {
        var model = ngram_model_read(config, file, NgramAuto, logMath);
        return model != IntPtr.Zero ? model : throw new InvalidOperationException($"pocketsphinx could not read the generic language model {file}.");
    }
}
