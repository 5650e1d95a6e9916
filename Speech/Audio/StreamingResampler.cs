using NAudio.Dsp;

namespace Switchboard.Speech.Audio;

/// <summary>
/// Changes the sample rate of a stream chunk by chunk, e.g. espeak-ng's 22050 Hz or flite's 16 kHz to 8 kHz telephone
/// audio, with NAudio's <see cref="WdlResampler"/> (sinc interpolation, low-pass below the lower Nyquist frequency so
/// nothing folds back as aliasing). It replaced a hand-written windowed-sinc resampler: NAudio took 0.90–0.95× its time
/// (bench <c>audio-codecs</c>, docs/voice.md). Not for the 8 → 16 kHz recogniser input: see <see cref="Upsampler8To16"/>.
/// </summary>
public sealed class StreamingResampler
{
    private readonly WdlResampler _resampler = new();
    /// <summary>Input samples handed to NAudio per round: its buffers stay far below the 85,000-byte large-object threshold.</summary>
    private const int MaxChunk = 4096;

    private float[] _output = new float[1024];

    public StreamingResampler(int inputRate, int outputRate)
    {
        if (inputRate <= 0 || outputRate <= 0) throw new ArgumentOutOfRangeException(nameof(inputRate));
        InputRate = inputRate;
        OutputRate = outputRate;
        // Sinc filter of 64 taps over 32 phases; cut-off at 95 % of the output's Nyquist keeps the top of the phone band.
        _resampler.SetMode(true, 2, true, 64, 32);
        _resampler.SetFilterParms(0.95f, 0.707f);
        _resampler.SetFeedMode(true);
        _resampler.SetRates(inputRate, outputRate);
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Appends resampled output for <paramref name="input"/> to <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<short> input, List<short> output)
    {
        while (!input.IsEmpty)
        {
            // At most MaxChunk input samples per round: NAudio sizes its input and our output buffer to the request, and a
            // whole utterance at once (seconds at 16–22 kHz) put both on the large object heap, whose budget then
            // triggered blocking gen2 collections while calls were being set up (docs/voice.md).
            var wanted = _resampler.ResamplePrepare(Math.Min(input.Length, MaxChunk), 1, out var buffer);
            var n = Math.Min(wanted, input.Length);
            for (var i = 0; i < n; i++) buffer[i] = input[i] / 32768f;
            Drain(n, output);
            input = input[n..];
        }
    }

    /// <summary>Pads the end with silence so the last input samples come out too.</summary>
    public void Flush(List<short> output)
    {
        var tail = (int)Math.Ceiling(_resampler.GetCurrentLatency() * InputRate) + 64;
        Process(new short[tail], output);
    }

    private void Drain(int inputSamples, List<short> output)
    {
        var room = (int)((long)inputSamples * OutputRate / InputRate) + 16;
        if (_output.Length < room) _output = new float[room];
        var produced = _resampler.ResampleOut(_output, inputSamples, room, 1);
        for (var i = 0; i < produced; i++) output.Add(TelephoneAudio.Clip(_output[i] * 32768f));
    }
}
