using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Speech.Audio;
using static Switchboard.Speech.EspeakNg.EspeakNgNative;

namespace Switchboard.Speech.EspeakNg;

/// <summary>
/// Embedded, offline text-to-speech with Debian's espeak-ng, resampled from its 22050 Hz to 8 kHz telephone audio and
/// streamed in chunks as the synthesiser produces them. espeak-ng has one global synthesiser per process, so
/// syntheses take turns (each is a few milliseconds for a prompt).
/// </summary>
public sealed class EspeakNgTextToSpeech : ITextToSpeech
{
    private static readonly SemaphoreSlim Turn = new(1, 1);
    private static readonly Lock InitLock = new();
    private static int _nativeRate; // 0 = not initialised, -1 = failed
    private static string? _currentVoice;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Known = new(StringComparer.Ordinal);
    private static int _currentRate;
    private static SynthesisJob? _job;
    // Kept in a static field: the native library holds the pointer for the life of the process.
    private static readonly SynthCallback Callback = OnSynthesised;

    private readonly EspeakNgOptions _options;

    public EspeakNgTextToSpeech(EspeakNgOptions options, ILogger<EspeakNgTextToSpeech> logger)
    {
        _options = options;
        UnavailableReason = NativeLibraryProbe.MissingReason((Library, "libespeak-ng1"));
        if (UnavailableReason is null && Initialize() <= 0) UnavailableReason = "espeak-ng failed to initialise (is espeak-ng-data installed?)";
        if (UnavailableReason is not null)
            logger.LogWarning("Text-to-speech espeak-ng unavailable: {Reason}. Prompts fall back to recorded audio.", UnavailableReason);
    }

    public string Engine => "espeak-ng";

    public string DefaultVoice => _options.Voice;

    public bool IsAvailable => UnavailableReason is null;

    public string? UnavailableReason { get; }

    /// <summary>Whether espeak-ng selects <paramref name="voice"/> by name (asked once per name, between syntheses).</summary>
    public bool HasVoice(string voice)
    {
        ArgumentNullException.ThrowIfNull(voice);
        if (!IsAvailable || string.IsNullOrWhiteSpace(voice)) return false;
        return Known.GetOrAdd(voice, static v =>
        {
            Turn.Wait();
            try
            {
                var found = espeak_SetVoiceByName(v) == 0;
                // The next synthesis selects its own voice again either way.
                _currentVoice = null;
                return found;
            }
            finally
            {
                Turn.Release();
            }
        });
    }

    public async IAsyncEnumerable<short[]> SynthesizeAsync(string text, string? voice = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsAvailable) throw new InvalidOperationException($"Text-to-speech is unavailable: {UnavailableReason}.");
        if (string.IsNullOrWhiteSpace(text)) yield break;
        var chunks = Channel.CreateUnbounded<short[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var job = new SynthesisJob(chunks.Writer, new StreamingResampler(_nativeRate, TelephoneAudio.SampleRate), cancellationToken);
        var producer = Task.Run(async () =>
        {
            await Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Synthesize(job, text, voice ?? _options.Voice, _options.WordsPerMinute);
                chunks.Writer.TryComplete();
            }
            catch (Exception e)
            {
                chunks.Writer.TryComplete(e);
            }
            finally
            {
                Turn.Release();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return chunk;
        }
        finally
        {
            job.Abandoned = true;
            try { await producer.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    private static int Initialize()
    {
        lock (InitLock)
        {
            if (_nativeRate != 0) return _nativeRate;
            var rate = espeak_Initialize(AudioOutputSynchronous, 100, IntPtr.Zero, 0);
            if (rate <= 0)
            {
                _nativeRate = -1;
                return -1;
            }
            espeak_SetSynthCallback(Callback);
            _nativeRate = rate;
            return rate;
        }
    }

    private static void Synthesize(SynthesisJob job, string text, string voice, int wordsPerMinute)
    {
        if (voice != _currentVoice)
        {
            if (espeak_SetVoiceByName(voice) != 0) throw new ArgumentException($"espeak-ng has no voice '{voice}'.", nameof(voice));
            _currentVoice = voice;
            _currentRate = 0; // a voice change resets the rate
        }
        if (wordsPerMinute != _currentRate)
        {
            espeak_SetParameter(ParameterRate, wordsPerMinute, 0);
            _currentRate = wordsPerMinute;
        }
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        _job = job;
        try
        {
            var error = espeak_Synth(bytes, (nuint)bytes.Length, 0, PositionCharacter, 0, CharsUtf8, IntPtr.Zero, IntPtr.Zero);
            if (error != 0 && !job.Stopped) throw new InvalidOperationException($"espeak-ng synthesis failed (error {error}).");
            espeak_Synchronize();
            if (!job.Stopped) job.Finish();
        }
        finally
        {
            _job = null;
        }
    }

    private static int OnSynthesised(IntPtr wav, int samples, IntPtr events)
    {
        var job = _job;
        if (job is null) return 1;
        if (job.Stopped) return 1;
        if (wav == IntPtr.Zero || samples <= 0) return 0;
        var native = new short[samples];
        Marshal.Copy(wav, native, 0, samples);
        job.Add(native);
        return job.Stopped ? 1 : 0;
    }

    private sealed class SynthesisJob(ChannelWriter<short[]> writer, StreamingResampler resampler, CancellationToken cancellationToken)
    {
        private readonly List<short> _out = [];

        public volatile bool Abandoned;

        public bool Stopped => Abandoned || cancellationToken.IsCancellationRequested;

        public void Add(short[] native)
        {
            resampler.Process(native, _out);
            Emit();
        }

        public void Finish()
        {
            resampler.Flush(_out);
            Emit();
        }

        private void Emit()
        {
            if (_out.Count == 0) return;
            writer.TryWrite([.. _out]);
            _out.Clear();
        }
    }
}
