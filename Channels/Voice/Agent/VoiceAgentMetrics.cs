using System.Collections.Concurrent;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>Latencies the voice agent measures on live calls (for the benchmark and the docs, never asserted in tests).</summary>
public sealed class VoiceAgentMetrics
{
    private const int Keep = 10_000;

    /// <summary>End-of-utterance decision → first RTP packet of the agent's answer, in ms.</summary>
    public ConcurrentQueue<double> ResponseMs { get; } = new();

    /// <summary>First loud frame of the customer's speech → the first outbound frame without the prompt, in ms.</summary>
    public ConcurrentQueue<double> BargeInMs { get; } = new();

    public long Recognised;
    public long NoMatches;
    public long NoInputs;
    /// <summary>Messages left on answering machines (proactive calls).</summary>
    public long Voicemails;

    internal static void Add(ConcurrentQueue<double> queue, double value)
    {
        queue.Enqueue(value);
        while (queue.Count > Keep) queue.TryDequeue(out _);
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var index = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
