namespace Switchboard.Grains.Journeys;

[GenerateSerializer, Alias("journey-grain-state")]
public sealed class JourneyGrainState
{
    /// <summary>A definition given through the admin API; null: the shipped file.</summary>
    [Id(0)] public string? Yaml { get; set; }
    [Id(1)] public Grains.Interfaces.Journeys.JourneyRunStatus Status { get; set; }
    [Id(2)] public string Run { get; set; } = "";
    [Id(3)] public Dictionary<string, Dictionary<string, long>> Counts { get; set; } = [];
}

[GenerateSerializer, Alias("enrolment-grain-state")]
public sealed class EnrolmentGrainState
{
    /// <summary>The step engine's <see cref="Switchboard.Journeys.Engine.EnrolmentState"/> as JSON (plain data, so the library stays free of Orleans).</summary>
    [Id(0)] public string? Json { get; set; }
    [Id(1)] public List<string> TimeZones { get; set; } = [];
    [Id(2)] public string? Region { get; set; }
    /// <summary>Send idempotency key → the outbox shard that holds it (<c>whatsapp/17</c>: no address), so the timeline can show its delivery status.</summary>
    [Id(3)] public Dictionary<string, string> Outbox { get; set; } = [];
    /// <summary>
    /// The same JSON as UTF-8, what is written now (<see cref="Json"/> is null then): half the bytes, and no string to
    /// build and encode again at every write. <see cref="Json"/> is still read from what older builds wrote.
    /// </summary>
    [Id(4)] public byte[]? JsonUtf8 { get; set; }
    /// <summary>
    /// Registered with the customer's <see cref="Grains.Interfaces.Journeys.IJourneyWaitersGrain"/> (a wait for a reply or
    /// an intent): stored so that a later activation (after a restart) still forgets the registration when it moves on.
    /// </summary>
    [Id(5)] public bool Listening { get; set; }
}

[GenerateSerializer, Alias("contact-ledger-state")]
public sealed class ContactLedgerState
{
    [Id(0)] public List<Grains.Interfaces.Journeys.ContactTouch> Touches { get; set; } = [];
}

[GenerateSerializer, Alias("journey-waiters-state")]
public sealed class JourneyWaitersState
{
    /// <summary>The enrolment keys waiting on the customer's next move.</summary>
    [Id(0)] public HashSet<string> Waiting { get; set; } = [];
}
