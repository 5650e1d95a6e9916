using Switchboard.Speech.Audio;

namespace Switchboard.Bench;

/// <summary>The windowed-sinc resampler the engine used before NAudio's WdlResampler, kept here as the benchmark's peer.
/// Changes the sample rate of a stream chunk by chunk with a windowed-sinc low-pass (Blackman window), e.g. espeak-ng's
/// 22050 Hz to 8 kHz telephone audio. The cut-off sits below the lower Nyquist frequency so nothing folds back as
/// aliasing. Kernels are precomputed for <see cref="Phases"/> fractional positions.
/// </summary>
public sealed class HandWrittenResampler
{
    private const int Phases = 256;
    private readonly double _step;
    private readonly int _halfTaps;
    private readonly float[][] _kernels;
    private float[] _buffer;
    private int _count;
    private double _position; // next output position, in input samples relative to _buffer[0]

    public HandWrittenResampler(int inputRate, int outputRate, int halfTaps = 16)
    {
        if (inputRate <= 0 || outputRate <= 0) throw new ArgumentOutOfRangeException(nameof(inputRate));
        InputRate = inputRate;
        OutputRate = outputRate;
        _step = inputRate / (double)outputRate;
        _halfTaps = halfTaps;
        var cutoff = 0.92 * Math.Min(1.0, outputRate / (double)inputRate); // fraction of the input Nyquist
        _kernels = new float[Phases + 1][];
        for (var p = 0; p <= Phases; p++)
        {
            var frac = p / (double)Phases;
            var kernel = new float[2 * halfTaps];
            double sum = 0;
            for (var k = 0; k < kernel.Length; k++)
            {
                var d = k - (halfTaps - 1) - frac; // distance from the output position to tap k
                var x = Math.PI * cutoff * d;
                var sinc = Math.Abs(d) < 1e-9 ? 1.0 : Math.Sin(x) / x;
                var w = (d + halfTaps) / (2.0 * halfTaps);
                var blackman = w is < 0 or > 1 ? 0 : 0.42 - 0.5 * Math.Cos(2 * Math.PI * w) + 0.08 * Math.Cos(4 * Math.PI * w);
                kernel[k] = (float)(sinc * blackman);
                sum += kernel[k];
            }
            for (var k = 0; k < kernel.Length; k++) kernel[k] = (float)(kernel[k] / sum);
            _kernels[p] = kernel;
        }
        _buffer = new float[4096];
        _count = halfTaps - 1; // leading zeros so the first output sample has history
        _position = halfTaps - 1;
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Appends resampled output for <paramref name="input"/> to <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<short> input, List<short> output)
    {
        if (_count + input.Length > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + input.Length));
        for (var i = 0; i < input.Length; i++) _buffer[_count + i] = input[i];
        _count += input.Length;
        Drain(output);
    }

    /// <summary>Pads the end with silence so the last input samples come out too.</summary>
    public void Flush(List<short> output)
    {
        Process(new short[_halfTaps * 2], output);
    }

    private void Drain(List<short> output)
    {
        while (true)
        {
            var index = (int)_position;
            if (index + _halfTaps >= _count) break;
            var frac = _position - index;
            var kernel = _kernels[(int)Math.Round(frac * Phases)];
            var start = index - (_halfTaps - 1);
            float acc = 0;
            for (var k = 0; k < kernel.Length; k++) acc += _buffer[start + k] * kernel[k];
            output.Add(TelephoneAudio.Clip(acc));
            _position += _step;
        }
        // Keep only the history the next output sample needs.
        var keepFrom = Math.Max(0, (int)_position - (_halfTaps - 1));
        if (keepFrom > 0)
        {
            Array.Copy(_buffer, keepFrom, _buffer, 0, _count - keepFrom);
            _count -= keepFrom;
            _position -= keepFrom;
        }
    }
}
