using System.Collections.Concurrent;

namespace Switchboard.Dialog;

/// <summary>
/// Opt-in record of the dialog act each customer's last turn took (an intent name, <c>inform</c>, <c>correct</c>…),
/// for the story player. Registered only by hosts that play stories; the engine skips it otherwise.
/// </summary>
public sealed class DialogTrace
{
    private readonly ConcurrentDictionary<(string Tenant, string Customer), string> _acts = new();

    public void Record(string tenant, string customer, string? act) => _acts[(tenant, customer)] = act ?? "none";

    public string? LastAct(string tenant, string customer) => _acts.TryGetValue((tenant, customer), out var a) ? a : null;
}
