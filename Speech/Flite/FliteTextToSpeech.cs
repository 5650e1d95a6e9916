using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Switchboard.Speech.Audio;
using static Switchboard.Speech.Flite.FliteNative;

namespace Switchboard.Speech.Flite;

/// <summary>
/// Embedded text-to-speech with Debian's flite (libflite1) in-process: the statistical voices <c>rms</c>, <c>slt</c>,
/// <c>awb</c> (16 kHz, resampled to 8 kHz) and the diphone voices <c>kal</c> (native 8 kHz) and <c>kal16</c>. flite
/// synthesises a whole prompt in a few milliseconds (real-time factor ~0.02); the result is handed out in 200 ms chunks.
/// Voices register once per process, on first use; the default voice at construction.
/// </summary>
public sealed class FliteTextToSpeech : ITextToSpeech
{
    private const int ChunkSamples = 1600;
    private static readonly Lock Native = new();
    private static readonly Dictionary<string, IntPtr> Registered = [];
    private static bool _initialised;

    /// <summary>The voices flite offers here: name → its library (Debian libflite1) and registration.</summary>
    public static readonly IReadOnlyDictionary<string, (string Library, Func<IntPtr> Register)> Voices = new Dictionary<string, (string, Func<IntPtr>)>
    {
        ["rms"] = (RmsVoice, () => register_cmu_us_rms(IntPtr.Zero)),
        ["slt"] = (SltVoice, () => register_cmu_us_slt(IntPtr.Zero)),
        ["awb"] = (AwbVoice, () => register_cmu_us_awb(IntPtr.Zero)),
        ["kal16"] = (Kal16Voice, () => register_cmu_us_kal16(IntPtr.Zero)),
        ["kal"] = (KalVoice, () => register_cmu_us_kal(IntPtr.Zero)),
    };

    public FliteTextToSpeech(ILogger<FliteTextToSpeech> logger, FliteOptions? options = null)
    {
        DefaultVoice = (options ?? new FliteOptions()).Voice.Trim().ToLowerInvariant();
        if (!Voices.TryGetValue(DefaultVoice, out var voice))
            throw new InvalidOperationException($"Speech:Flite:Voice '{DefaultVoice}' is not a flite voice here ({string.Join(", ", Voices.Keys)}).");
        UnavailableReason = NativeLibraryProbe.MissingReason((Library, "libflite1"), (voice.Library, "libflite1"));
        if (UnavailableReason is null && VoiceHandle(DefaultVoice) == IntPtr.Zero) UnavailableReason = $"flite could not register the {DefaultVoice} voice";
        if (UnavailableReason is not null)
            logger.LogWarning("Text-to-speech flite unavailable: {Reason}.", UnavailableReason);
    }

    public string Engine => "flite";

    public string DefaultVoice { get; }

    public bool IsAvailable => UnavailableReason is null;

    public string? UnavailableReason { get; }

    /// <summary>One of <see cref="Voices"/> (any case), and its library is installed.</summary>
    public bool HasVoice(string voice)
    {
        ArgumentNullException.ThrowIfNull(voice);
        var name = voice.Trim().ToLowerInvariant();
        return IsAvailable && Voices.ContainsKey(name) && VoiceHandle(name) != IntPtr.Zero;
    }

    public async IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsAvailable) throw new InvalidOperationException($"Text-to-speech is unavailable: {UnavailableReason}.");
        var name = voice?.Trim().ToLowerInvariant() ?? DefaultVoice;
        if (!Voices.ContainsKey(name)) throw new ArgumentException($"flite has no voice '{voice}' here ({string.Join(", ", Voices.Keys)}).", nameof(voice));
        if (string.IsNullOrWhiteSpace(text)) yield break;
        var handle = VoiceHandle(name);
        if (handle == IntPtr.Zero) throw new InvalidOperationException($"flite could not register the {name} voice.");
        var samples = await Task.Run(() => Synthesize(text, handle), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < samples.Length; i += ChunkSamples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return samples[i..Math.Min(samples.Length, i + ChunkSamples)];
        }
    }

    /// <summary>The registered voice, registering it on first use; zero when its library is missing.</summary>
    private static IntPtr VoiceHandle(string name)
    {
        lock (Native)
        {
            if (Registered.TryGetValue(name, out var handle)) return handle;
            var (library, register) = Voices[name];
            if (NativeLibraryProbe.MissingReason((Library, "libflite1"), (library, "libflite1")) is not null) return IntPtr.Zero;
            if (!_initialised)
            {
                flite_init();
                _initialised = true;
            }
            return Registered[name] = register();
        }
    }

    private static short[] Synthesize(string text, IntPtr voice)
    {
        lock (Native)
        {
            var wavePtr = flite_text_to_wave(text, voice);
            if (wavePtr == IntPtr.Zero) throw new InvalidOperationException("flite synthesis failed.");
            try
            {
                var wave = Marshal.PtrToStructure<Wave>(wavePtr);
                if (wave.ChannelCount != 1) throw new InvalidOperationException($"flite returned {wave.ChannelCount} channels.");
                var samples = new short[wave.SampleCount];
                if (samples.Length > 0) Marshal.Copy(wave.Samples, samples, 0, samples.Length);
                if (wave.SampleRate == TelephoneAudio.SampleRate) return samples;
                var resampler = new StreamingResampler(wave.SampleRate, TelephoneAudio.SampleRate);
                var output = new List<short>((int)((long)samples.Length * TelephoneAudio.SampleRate / wave.SampleRate) + 64);
                resampler.Process(samples, output);
                resampler.Flush(output);
                return [.. output];
            }
            finally
            {
                delete_wave(wavePtr);
            }
        }
    }
}
