using Microsoft.Extensions.Logging;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.LanguageModel;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>
/// Embedded, offline speech recognition with Debian's pocketsphinx, constrained by each turn's grammar.
/// Line audio is upsampled from 8 to 16 kHz (the shipped model's rate). Decoders come from a pool.
/// </summary>
public sealed class PocketSphinxSpeechToText : ISpeechToText, IDisposable
{
    private readonly PocketSphinxOptions _options;
    private readonly ILogger _logger;
    private readonly PocketSphinxDecoderPool? _pool;
    // Decoders for the phone loops of RejectionMargin, a pool of their own: an utterance takes one from each, always
    // in the same order, so a full grammar pool never waits on a phone loop that waits on it.
    private readonly PocketSphinxDecoderPool? _phoneLoops;
    private readonly PronunciationDictionary? _dictionary;
    private long _rejected;

    public PocketSphinxSpeechToText(PocketSphinxOptions options, ILogger<PocketSphinxSpeechToText> logger)
    {
        _options = options;
        _logger = logger;
        UnavailableReason = NativeLibraryProbe.MissingReason(
            (PocketSphinxNative.SphinxBase, "libsphinxbase3"), (PocketSphinxNative.Library, "libpocketsphinx3"));
        if (UnavailableReason is null && !File.Exists(options.DictionaryPath))
            UnavailableReason = $"pocketsphinx model not found at {options.ModelDirectory} (Debian package pocketsphinx-en-us)";
        if (UnavailableReason is not null)
        {
            _logger.LogWarning("Speech recognition unavailable: {Reason}. Voice turns take DTMF only.", UnavailableReason);
            return;
        }
        _dictionary = PronunciationDictionary.Load(options.DictionaryPath);
        _pool = new PocketSphinxDecoderPool(options, logger);
        if (options.RejectionMargin is not null) _phoneLoops = new PocketSphinxDecoderPool(options, logger);
    }

    public string Engine => "pocketsphinx";

    public bool IsAvailable => UnavailableReason is null;

    public string? UnavailableReason { get; }

    /// <summary>Grammar results rejected so far because a free phone loop explained the audio much better (<see cref="PocketSphinxOptions.RejectionMargin"/>).</summary>
    public long RejectedResults => Interlocked.Read(ref _rejected);

    internal void NoteRejected() => Interlocked.Increment(ref _rejected);

    /// <summary>Decoders currently loaded (idle or in use).</summary>
    public int LoadedDecoders => _pool?.Loaded ?? 0;

    public PronunciationDictionary Dictionary => _dictionary ?? throw Unavailable();

    /// <summary>Loads the configured number of warm decoders now (the host does this at start, off the call path).</summary>
    public void Warm(int? count = null)
    {
        _pool?.Warm(count ?? _options.WarmDecoders);
        _phoneLoops?.Warm(count ?? _options.WarmDecoders);
    }

    public async ValueTask<IRecognitionStream> BeginUtteranceAsync(SpeechGrammar grammar, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        if (_pool is null || _dictionary is null) throw Unavailable();
        var jsgf = grammar.LanguageModelFile is null
            ? grammar.ToJsgf(_dictionary.Contains) ?? throw new ArgumentException($"Grammar '{grammar.Name}' has no phrase made of words the recogniser knows.", nameof(grammar))
            : null;
        var decoder = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (grammar.BackgroundLanguageModelFile is { } generic) decoder.UseInterpolatedModel(grammar.Key, grammar.LanguageModelFile!, generic, grammar.DomainWeight);
            else if (jsgf is null) decoder.UseLanguageModel(grammar.Key, grammar.LanguageModelFile!);
            else decoder.UseGrammar(grammar.Key, jsgf);
            if (PocketSphinxNative.ps_start_utt(decoder.Handle) != 0) throw new InvalidOperationException("pocketsphinx could not start an utterance.");
        }
        catch
        {
            _pool.Return(decoder, healthy: false);
            throw;
        }
        if (jsgf is null || _phoneLoops is null) return new PocketSphinxRecognitionStream(decoder, grammar, _pool, this);
        PocketSphinxDecoder? phoneLoop = null;
        try
        {
            phoneLoop = await _phoneLoops.RentAsync(cancellationToken).ConfigureAwait(false);
            phoneLoop.StartPhoneLoop(_options.PhoneLanguageModelPath);
            return new PocketSphinxRecognitionStream(decoder, grammar, _pool, this, phoneLoop, _phoneLoops, _options.RejectionMargin);
        }
        catch
        {
            if (phoneLoop is not null) _phoneLoops.Return(phoneLoop, healthy: false);
            PocketSphinxNative.ps_end_utt(decoder.Handle);
            _pool.Return(decoder, healthy: true);
            throw;
        }
    }

    /// <summary>The generic English model that ships with the acoustic model (27 MB; the baseline for open turns).</summary>
    public SpeechGrammar GenericOpenTurn(string name = "open-generic") =>
        SpeechGrammar.Open(name, _options.GenericLanguageModelPath, "generic");

    /// <summary>
    /// The open-turn model for a bot: its domain model interpolated with the generic English model, λ =
    /// <paramref name="domainWeight"/> (default <see cref="PocketSphinxOptions.OpenTurnDomainWeight"/>, 0.8); λ = 1 is
    /// the domain model alone. The first utterance on each decoder reads the generic model (see docs/speech.md).
    /// </summary>
    public SpeechGrammar OpenTurn(DomainLanguageModel domain, string name, double? domainWeight = null, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var weight = domainWeight ?? _options.OpenTurnDomainWeight;
        return weight >= 1 ? domain.ToGrammar(name, directory) : new InterpolatedLanguageModel(domain, _options.GenericLanguageModelPath, weight).ToGrammar(name, directory);
    }

    /// <summary>Interpolated open-turn models the idle decoders keep, all told (each decoder keeps at most <see cref="PocketSphinxOptions.OpenTurnModelsPerDecoder"/>).</summary>
    public int InterpolatedOpenTurnModels => _pool?.InterpolatedSearches ?? 0;

    /// <summary>Time the idle decoders spent reading the generic model for interpolated open turns, and how many reads (one per decoder).</summary>
    public (TimeSpan Total, int Reads) GenericModelLoads => _pool?.GenericModelLoads ?? default;

    private InvalidOperationException Unavailable() => new($"Speech recognition is unavailable: {UnavailableReason}.");

    public void Dispose()
    {
        _pool?.Dispose();
        _phoneLoops?.Dispose();
    }
}
