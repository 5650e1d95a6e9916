using System.Diagnostics.Metrics;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Common;

/// <summary>
/// The channels' turn calls as metrics, meter <c>Switchboard.Turns</c>: every turn a channel handed to the engine and how
/// long the engine took (retries included), and the turns sent again after a lost silo connection or an unreachable silo.
/// Tagged with the channel only (never an address). Exported over OTLP with the rest (<c>Silo/Hosting/OtlpMetrics</c>).
/// </summary>
public static class TurnMetrics
{
    public const string MeterName = "Switchboard.Turns";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration =
        Meter.CreateHistogram<double>("switchboard.turn.duration", "ms", "A channel's turn call: sent to the ingress until its result, retries included");

    private static readonly Counter<long> Retries =
        Meter.CreateCounter<long>("switchboard.turn.retries", "{turn}", "Turns sent again: a silo connection closed under them, or a silo was unreachable");

    internal static void Turn(Channel channel, TimeSpan elapsed, int attempts) =>
        Duration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("channel", channel.ToWire()), new KeyValuePair<string, object?>("retried", attempts > 1));

    internal static void Retried(Channel channel, string reason) =>
        Retries.Add(1, new KeyValuePair<string, object?>("channel", channel.ToWire()), new KeyValuePair<string, object?>("reason", reason));
}
