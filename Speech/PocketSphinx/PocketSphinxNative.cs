using System.Runtime.InteropServices;

namespace Switchboard.Speech.PocketSphinx;

/// <summary>The part of pocketsphinx 0.8+5prealpha's C API we use (Debian libpocketsphinx3, libsphinxbase3).</summary>
internal static class PocketSphinxNative
{
    public const string Library = "libpocketsphinx.so.3";
    public const string SphinxBase = "libsphinxbase.so.3";

    [DllImport(Library)]
    public static extern IntPtr ps_args();

    // cmd_ln_init is variadic (not callable through P/Invoke); cmd_ln_parse_r takes argv.
    [DllImport(SphinxBase)]
    public static extern IntPtr cmd_ln_parse_r(IntPtr inoutCmdln, IntPtr definitions, int argc,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string[] argv, int strict);

    [DllImport(SphinxBase)]
    public static extern int cmd_ln_free_r(IntPtr cmdln);

    /// <summary>A float argument's value (sphinxbase stores them as double).</summary>
    [DllImport(SphinxBase)]
    public static extern double cmd_ln_float_r(IntPtr cmdln, [MarshalAs(UnmanagedType.LPStr)] string name);

    [DllImport(SphinxBase)]
    public static extern void cmd_ln_set_float_r(IntPtr cmdln, [MarshalAs(UnmanagedType.LPStr)] string name, double value);

    [DllImport(Library)]
    public static extern IntPtr ps_init(IntPtr config);

    [DllImport(Library)]
    public static extern int ps_free(IntPtr ps);

    [DllImport(Library)]
    public static extern int ps_set_jsgf_string(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string jsgf);

    [DllImport(Library)]
    public static extern int ps_set_lm_file(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    /// <summary>Adds an n-gram search on <paramref name="lm"/> (the decoder takes its own reference; the caller still frees its own).</summary>
    [DllImport(Library)]
    public static extern int ps_set_lm(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, IntPtr lm);

    /// <summary>Reads an ARPA or binary n-gram model; -lw / -wip are taken from <paramref name="config"/>, as <c>ps_set_lm_file</c> does.</summary>
    [DllImport(SphinxBase)]
    public static extern IntPtr ngram_model_read(IntPtr config, [MarshalAs(UnmanagedType.LPUTF8Str)] string fileName, int fileType, IntPtr logmath);

    /// <summary>
    /// A set of models interpolated with <paramref name="weights"/> (all must share one log base). In sphinxbase
    /// 5prealpha the set retains each model: the caller keeps (and frees) its own references.
    /// </summary>
    [DllImport(SphinxBase)]
    public static extern IntPtr ngram_model_set_init(IntPtr config, IntPtr[] models,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string[] names, float[] weights, int count);

    [DllImport(SphinxBase)]
    public static extern IntPtr ngram_model_retain(IntPtr model);

    /// <summary>Drops one reference; returns the references left (0: freed).</summary>
    [DllImport(SphinxBase)]
    public static extern int ngram_model_free(IntPtr model);

    /// <summary>Sets a model's language weight and word insertion penalty (a set passes them to its models).</summary>
    [DllImport(SphinxBase)]
    public static extern int ngram_model_apply_weights(IntPtr model, float lw, float wip);

    public const int NgramAuto = 0;

    /// <summary>Adds a phone-loop search (every phone sequence, weighted by the phonetic n-gram model at <paramref name="path"/>).</summary>
    [DllImport(Library)]
    public static extern int ps_set_allphone_file(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport(Library)]
    public static extern int ps_set_search(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(Library)]
    public static extern int ps_unset_search(IntPtr ps, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(Library)]
    public static extern int ps_start_utt(IntPtr ps);

    [DllImport(Library)]
    public static extern int ps_process_raw(IntPtr ps, short[] data, nuint samples, int noSearch, int fullUtterance);

    [DllImport(Library)]
    public static extern int ps_end_utt(IntPtr ps);

    /// <summary>Returns a decoder-owned string (do not free) or null.</summary>
    [DllImport(Library)]
    public static extern IntPtr ps_get_hyp(IntPtr ps, out int bestScore);

    /// <summary>The first segment (word or filler) of the best path, or zero; <see cref="ps_seg_next"/> frees the iterator at the end.</summary>
    [DllImport(Library)]
    public static extern IntPtr ps_seg_iter(IntPtr ps);

    [DllImport(Library)]
    public static extern IntPtr ps_seg_next(IntPtr seg);

    [DllImport(Library)]
    public static extern IntPtr ps_seg_word(IntPtr seg);

    [DllImport(Library)]
    public static extern void ps_seg_frames(IntPtr seg, out int startFrame, out int endFrame);

    /// <summary>The frames of the best path's words, fillers and silence left out.</summary>
    public static int SpeechFrames(IntPtr ps)
    {
        var frames = 0;
        for (var seg = ps_seg_iter(ps); seg != IntPtr.Zero; seg = ps_seg_next(seg))
        {
            var word = Marshal.PtrToStringUTF8(ps_seg_word(seg));
            if (string.IsNullOrEmpty(word) || word[0] is '<' or '[' or '+') continue;
            ps_seg_frames(seg, out var start, out var end);
            frames += end - start + 1;
        }
        return frames;
    }

    [DllImport(Library)]
    public static extern int ps_get_prob(IntPtr ps);

    [DllImport(Library)]
    public static extern int ps_get_n_frames(IntPtr ps);

    [DllImport(Library)]
    public static extern IntPtr ps_get_logmath(IntPtr ps);

    [DllImport(SphinxBase)]
    public static extern double logmath_exp(IntPtr logmath, int logbP);

    public static string? Hypothesis(IntPtr ps, out int score)
    {
        var p = ps_get_hyp(ps, out score);
        return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
    }
}
