using System.Diagnostics;

namespace Switchboard.Channels.Common;

/// <summary>
/// Spans the channels start themselves, on the <c>Switchboard</c> activity source (the host's tracing listens to it:
/// <c>Silo/Hosting/Tracing</c>). Everything else in a trace comes from the frameworks (ASP.NET Core, Orleans, HttpClient).
/// </summary>
public static class ChannelTracing
{
    public const string SourceName = "Switchboard";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A reply's hand-off after its turn (render, provider send, outbox record), parented on the turn's trace: it runs from
    /// the reply dispatcher's own task after the webhook was answered, so without it the provider's HTTP call would have
    /// no place in the webhook's trace.
    /// </summary>
    public const string ReplySend = "Switchboard.Reply.Send";
}
