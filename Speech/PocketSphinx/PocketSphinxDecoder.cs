using System.Diagnostics;
using Switchboard.Speech.LanguageModel;
using static Switchboard.Speech.PocketSphinx.PocketSphinxNative;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>
/// One native pocketsphinx decoder (no language model loaded at start, so ~30 MB) used by one utterance at a time.
/// It keeps the grammars it compiled and the domain language models it loaded, keyed by content, so the next call at
/// the same dialog turn skips compiling.
/// </summary>
internal sealed class PocketSphinxDecoder : IDisposable
{
    private readonly IntPtr _config;
    private readonly int _grammarCapacity;
    private readonly LinkedList<string> _grammarsByUse = new(); // most recently used first
    private readonly Dictionary<string, IntPtr> _genericModels = new(StringComparer.Ordinal); // by file, read once
    private readonly LinkedList<string> _interpolatedByUse = new(); // the interpolated searches among them, most recent first
    private readonly int _interpolatedCapacity;
    private readonly double? _openTurnLanguageWeight;
    private readonly double? _openTurnInsertionPenalty;
    private IntPtr _ps;
    private bool _phoneLoopLoaded;

    private PocketSphinxDecoder(IntPtr config, IntPtr ps, int grammarCapacity, int interpolatedCapacity, double? openTurnLanguageWeight = null, double? openTurnInsertionPenalty = null)
    {
        _openTurnLanguageWeight = openTurnLanguageWeight;
        _openTurnInsertionPenalty = openTurnInsertionPenalty;
        _interpolatedCapacity = interpolatedCapacity;
        _config = config;
        _ps = ps;
        _grammarCapacity = grammarCapacity;
        LogMath = ps_get_logmath(ps);
    }

    public IntPtr Handle => _ps;

    public IntPtr LogMath { get; }

    public static PocketSphinxDecoder Load(PocketSphinxOptions options)
    {
        string[] argv =
        [
            "-hmm", options.AcousticModelPath,
            "-dict", options.DictionaryPath,
            "-samprate", "16000",
            "-remove_noise", "no", // measured: noise removal hurt telephone audio upsampled from 8 kHz
            // Wider beams than the defaults: measured 105/108 grammar phrases right instead of 101/108 (6 synthetic voices).
            "-beam", "1e-80", "-wbeam", "1e-60", "-pbeam", "1e-80",
            "-logfn", "/dev/null",
            // The phone loop that checks a grammar result (StartPhoneLoop) uses context-independent phones: a fraction of
            // the context-dependent search's cost, and only a reference score is wanted from it.
            "-allphone_ci", "yes",
            .. options.ExtraArguments,
        ];
        var config = cmd_ln_parse_r(IntPtr.Zero, ps_args(), argv.Length, argv, 1);
        if (config == IntPtr.Zero) throw new InvalidOperationException("pocketsphinx rejected its configuration.");
        var ps = ps_init(config);
        if (ps == IntPtr.Zero)
        {
            cmd_ln_free_r(config);
            throw new InvalidOperationException($"pocketsphinx could not load the model from {options.ModelDirectory}.");
        }
        return new PocketSphinxDecoder(config, ps, Math.Max(1, options.GrammarsPerDecoder), Math.Max(1, options.OpenTurnModelsPerDecoder),
            options.OpenTurnLanguageWeight, options.OpenTurnInsertionPenalty);
    }

    /// <summary>Makes <paramref name="key"/>'s grammar the active search, compiling <paramref name="jsgf"/> only the first time.</summary>
    public void UseGrammar(string key, string jsgf) => UseSearch("g" + key, ps => ps_set_jsgf_string(ps, "g" + key, jsgf) == 0
        ? null : "pocketsphinx could not compile the turn's grammar.");

    /// <summary>Makes the language model at <paramref name="path"/> (an open turn) the active search, loading it only the first time.</summary>
    public void UseLanguageModel(string key, string path) => UseSearch("g" + key, ps => ps_set_lm_file(ps, "g" + key, path) == 0
        ? null : $"pocketsphinx could not load the language model {Path.GetFileName(path)}.");

    /// <summary>
    /// Makes the interpolation of the model at <paramref name="path"/> with <paramref name="genericPath"/> the active
    /// search, building the set only the first time. The generic model is read once per decoder and shared by every
    /// set built on it (pocketsphinx keeps references, so evicting a set never frees it).
    /// </summary>
    public void UseInterpolatedModel(string key, string path, string genericPath, double domainWeight)
    {
        var search = "g" + key;
        UseSearch(search, ps => AddInterpolatedSearch(ps, search, path, genericPath, domainWeight));
        // Each interpolated search holds a lexicon tree over the generic model's vocabulary (~40 MB, docs/speech.md), so
        // they have their own, smaller budget within the decoder's searches.
        if (_interpolatedByUse.Find(search) is { } node) _interpolatedByUse.Remove(node);
        _interpolatedByUse.AddFirst(search);
        EvictBeyond(_interpolatedByUse, _interpolatedCapacity, _grammarsByUse);
    }

    /// <summary>Unloads the least recently used searches of <paramref name="byUse"/> past <paramref name="capacity"/>; a search in both lists leaves both.</summary>
    private void EvictBeyond(LinkedList<string> byUse, int capacity, LinkedList<string> alsoIn)
    {
        while (byUse.Count > capacity)
        {
            var oldest = byUse.Last!.Value;
            byUse.RemoveLast();
            alsoIn.Remove(oldest);
            ps_unset_search(_ps, oldest);
        }
    }

    /// <summary>Interpolated open-turn searches this decoder keeps now.</summary>
    public int InterpolatedSearches => _interpolatedByUse.Count;

    private string? AddInterpolatedSearch(IntPtr ps, string search, string path, string genericPath, double domainWeight)
    {
        if (_openTurnLanguageWeight is null && _openTurnInsertionPenalty is null) return BuildInterpolatedSearch(ps, search, path, genericPath, domainWeight, applyWeights: false);
        // -lw and -wip are decoder-wide configuration values that a search reads when it is created (ngram_search_init,
        // fsg_search_init) and a model when it is read: set them for this search only and put the decoder's back, so
        // grammar searches created later keep theirs. Both passes after the first tree search keep their ratio to -lw.
        string[] names = ["-lw", "-fwdflatlw", "-bestpathlw", "-wip"];
        var saved = names.Select(n => cmd_ln_float_r(_config, n)).ToArray();
        var scale = (_openTurnLanguageWeight ?? saved[0]) / saved[0];
        try
        {
            for (var i = 0; i < 3; i++) cmd_ln_set_float_r(_config, names[i], saved[i] * scale);
            cmd_ln_set_float_r(_config, "-wip", _openTurnInsertionPenalty ?? saved[3]);
            return BuildInterpolatedSearch(ps, search, path, genericPath, domainWeight, applyWeights: true);
        }
        finally
        {
            for (var i = 0; i < names.Length; i++) cmd_ln_set_float_r(_config, names[i], saved[i]);
        }
    }

    private string? BuildInterpolatedSearch(IntPtr ps, string search, string path, string genericPath, double domainWeight, bool applyWeights)
    {
        if (!_genericModels.TryGetValue(genericPath, out var generic))
        {
            var started = Stopwatch.GetTimestamp();
            generic = InterpolatedLanguageModel.ReadGeneric(_config, LogMath, genericPath);
            _genericModels[genericPath] = generic;
            GenericModelLoadTime += Stopwatch.GetElapsedTime(started);
            GenericModelReads++;
        }
        var set = InterpolatedLanguageModel.CreateSet(_config, LogMath, generic, path, domainWeight);
        // The generic model was read once with the configuration of its first set: the set's weights (passed on to both
        // models) are the ones in the configuration now.
        if (applyWeights) ngram_model_apply_weights(set, (float)cmd_ln_float_r(_config, "-lw"), (float)cmd_ln_float_r(_config, "-wip"));
        try { return ps_set_lm(ps, search, set) == 0 ? null : $"pocketsphinx could not search with the interpolated model {Path.GetFileName(path)}."; }
        finally { ngram_model_free(set); }
    }

    /// <summary>
    /// Makes a free phone loop the active search and starts an utterance on it: fed the same audio as a grammar search,
    /// its path score is the best any phone sequence explains that audio, against which the grammar result is compared.
    /// The next utterance sets its own search.
    /// </summary>
    public void StartPhoneLoop(string phoneModelPath)
    {
        if (!_phoneLoopLoaded)
        {
            if (ps_set_allphone_file(_ps, PhoneLoopSearch, phoneModelPath) != 0) throw new InvalidOperationException($"pocketsphinx could not load the phone model {Path.GetFileName(phoneModelPath)}.");
            _phoneLoopLoaded = true;
        }
        if (ps_set_search(_ps, PhoneLoopSearch) != 0 || ps_start_utt(_ps) != 0) throw new InvalidOperationException("pocketsphinx could not start the phone loop.");
    }

    private const string PhoneLoopSearch = "_phone_loop";

    /// <summary>Time this decoder spent reading generic models for interpolation (once per model file).</summary>
    public TimeSpan GenericModelLoadTime { get; private set; }

    /// <summary>Generic models this decoder read (one per file, however many sets are built on it).</summary>
    public int GenericModelReads { get; private set; }

    private void UseSearch(string search, Func<IntPtr, string?> load)
    {
        var node = _grammarsByUse.Find(search);
        if (node is null)
        {
            if (load(_ps) is { } error) throw new InvalidOperationException(error);
            _grammarsByUse.AddFirst(search);
            EvictBeyond(_grammarsByUse, _grammarCapacity, _interpolatedByUse);
        }
        else
        {
            _grammarsByUse.Remove(node);
            _grammarsByUse.AddFirst(node);
        }
        if (ps_set_search(_ps, search) != 0) throw new InvalidOperationException("pocketsphinx could not switch grammar.");
    }

    public void Dispose()
    {
        if (_ps == IntPtr.Zero) return;
        ps_free(_ps);
        foreach (var generic in _genericModels.Values) ngram_model_free(generic);
        _genericModels.Clear();
        cmd_ln_free_r(_config);
        _ps = IntPtr.Zero;
    }
}
