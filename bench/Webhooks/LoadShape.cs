namespace Switchboard.Bench.Webhooks;

/// <summary>
/// The closed-loop load every peer gets: <see cref="Customers"/> customers write <see cref="Turns"/> messages each,
/// <see cref="Senders"/> at a time; a customer writes again only once its reply reached the Graph stand-in.
/// <see cref="MaxSeconds"/> bounds a peer's run, <see cref="ReplyTimeout"/> one reply's wait.
/// </summary>
public sealed record LoadShape(int Senders, int Customers, int Turns, int WarmupCustomers, TimeSpan MaxSeconds, TimeSpan ReplyTimeout, TimeSpan Settle)
{
    /// <summary>What customers say, turn by turn: plain text that every peer answers with exactly one message.</summary>
    public static readonly string[] Texts =
    [
        "hello there",
        "I would like some help with my booking please",
        "thanks for the information",
        "one more question about baggage",
        "ok good",
        "see you later",
    ];

    public int Webhooks => Customers * Turns;

    public override string ToString() =>
        $"{Senders} senders, {Customers} customers x {Turns} turns = {Webhooks} webhooks (closed loop), warm-up {WarmupCustomers} customers, bound {MaxSeconds.TotalSeconds:F0} s per peer, reply timeout {ReplyTimeout.TotalSeconds:F0} s";
}
