using System.Net;

namespace Switchboard.Bench.Load;

/// <summary>
/// What the load drives: the HTTP addresses that take webhooks and web chat (a cluster's gateways, or the one engine),
/// the SIP endpoints, the processes whose CPU the run reports, and, for <c>--kill-silo</c>, how to kill a silo.
/// </summary>
public sealed record LoadTarget(
    string Label,
    IReadOnlyList<Uri> Http,
    IReadOnlyList<IPEndPoint> Sip,
    Func<IEnumerable<(string Name, int Pid)>> Processes,
    Func<Task<string>>? KillSilo = null);
