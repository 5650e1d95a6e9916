using Switchboard.Grains.Consent;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Pii;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Customers;

/// <summary>Everything a customer grain persists, in one record. Text in it is always tokenized.</summary>
[GenerateSerializer, Alias("customer-state")]
public sealed class CustomerState
{
    [Id(0)] public bool Created { get; set; }
    // The context layers and the addresses are stored as the properties always were (same [Id]s, same types); in memory
    // an idle customer keeps them packed (PackIdle), read back by the first access (docs/performance.md, mem12).
    [Id(1)] public EphemeralContext Ephemeral { get => Unpacked()._ephemeral ??= new(); set => Unpacked()._ephemeral = value; }
    [Id(2)] public PersistentIntentContext Intent { get => Unpacked()._intent ??= new(); set => Unpacked()._intent = value; }
    [Id(3)] public SystemMetadata System { get => Unpacked()._system ??= new(); set => Unpacked()._system = value; }
    [NonSerialized] private EphemeralContext? _ephemeral = new();
    [NonSerialized] private PersistentIntentContext? _intent = new();
    [NonSerialized] private SystemMetadata? _system = new();
    // The turn history (transcript, its summary, the replies kept for redeliveries) is held only while a call needs it:
    // the journal has all of it, and GrainJournal.ReadDurableAsync rebuilds it (docs/performance.md, mem8). Serialized as
    // the properties were (same [Id]s, same types); a snapshot is written only while it is held (IsWhole).
    [Id(4)] private List<TranscriptTurn>? _transcript = [];
    [Id(5)] private TranscriptSummary? _summary = new();
    /// <summary>The last <see cref="TranscriptLimit"/> transcript lines; only while <see cref="HistoryHeld"/>.</summary>
    public List<TranscriptTurn> Transcript => _transcript ?? throw HistoryNotHeld();
    /// <summary>What the folded-away lines amounted to; only while <see cref="HistoryHeld"/>.</summary>
    public TranscriptSummary Summary => _summary ?? throw HistoryNotHeld();
    // The collections most customers never fill are null until their first entry (about 300 bytes per active
    // customer as empty instances). Older snapshots carry them empty; both read the same.
    [Id(6)] public Dictionary<string, List<ConsentChange>>? Consent { get; set; }
    /// <summary>PII token → AES-GCM sealed raw value; null while empty.</summary>
    [Id(7)] public Dictionary<string, byte[]>? Vault { get; set; }
    [Id(8)] public List<PiiAccessRecord>? VaultAudit { get; set; }
    /// <summary>
    /// Clear addresses as journals written before addresses were sealed hold them: read so those journals load, moved
    /// into <see cref="SealedAddresses"/> when the grain activates (<see cref="OpenAddresses"/>), so written empty.
    /// </summary>
    public IReadOnlyList<ChannelAddress> LegacyAddresses
    {
        get => _legacyAddresses ?? [];
        set => _legacyAddresses = value.Count == 0 ? null : [.. value];
    }
    // Serialized as the property was (same [Id], same type): null once opened, so an active customer does not keep an
    // empty list for it (docs/performance.md, mem7).
    [Id(9)] private List<ChannelAddress>? _legacyAddresses;
    /// <summary>The customer's addresses in clear, oldest first: in memory only (no [Id]), opened from <see cref="SealedAddresses"/>.</summary>
    public List<ChannelAddress> Addresses { get => Unpacked()._addresses ??= []; set => Unpacked()._addresses = value; }
    [NonSerialized] private List<ChannelAddress>? _addresses = [];
    [Id(10)] private List<ProcessedMessage>? _processed = [];
    /// <summary>The most recently processed messages with the reply given, newest last; only while <see cref="HistoryHeld"/>.</summary>
    public List<ProcessedMessage> Processed => _processed ?? throw HistoryNotHeld();
    /// <summary>Channels on which the customer has written to us (implied transactional consent), a bit per channel in memory.</summary>
    public IReadOnlyCollection<Channel> InboundChannels => InboundChannelSet;
    // Stored as the set it always was (same [Id], same type): built when a snapshot is written, read back into the bits
    // (a HashSet and its arrays were about 150 bytes per customer; docs/performance.md, mem11).
    [Id(11)]
    internal HashSet<Channel> InboundChannelSet
    {
        get
        {
            var set = new HashSet<Channel>(_otherInbound ?? []);
            for (var bits = _inboundBits; bits != 0; bits &= bits - 1) set.Add((Channel)global::System.Numerics.BitOperations.TrailingZeroCount(bits));
            return set;
        }
        set
        {
            _inboundBits = 0;
            _otherInbound = null;
            foreach (var channel in value ?? []) AddInboundChannel(channel);
        }
    }
    /// <summary>Bit <c>n</c>: the customer wrote on channel <c>n</c> (channels 0 to 63; every channel today).</summary>
    [NonSerialized] private ulong _inboundBits;
    /// <summary>Channels outside 0 to 63, should an enum value ever be; null while none.</summary>
    [NonSerialized] private HashSet<Channel>? _otherInbound;

    /// <summary>Records that the customer wrote on <paramref name="channel"/>; false if it had before.</summary>
    public bool AddInboundChannel(Channel channel)
    {
        if ((uint)channel < 64)
        {
            var bit = 1UL << (int)channel;
            if ((_inboundBits & bit) != 0) return false;
            _inboundBits |= bit;
            return true;
        }
        return (_otherInbound ??= []).Add(channel);
    }

    /// <summary>Whether the customer has written on <paramref name="channel"/>.</summary>
    public bool WroteOn(Channel channel) =>
        (uint)channel < 64 ? (_inboundBits & (1UL << (int)channel)) != 0 : _otherInbound?.Contains(channel) ?? false;
    /// <summary>Dialog engine data that has no place in the typed layers (engine-owned, versioned by the engine); allocated on first use.</summary>
    public Dictionary<string, string> EngineData { get => _engineData ??= []; set => _engineData = value is { Count: 0 } ? null : value; }
    // Serialized as the property was (same [Id], same type): null while empty (most customers), see TrimEmpty.
    [Id(12)] private Dictionary<string, string>? _engineData;
    /// <summary>64-bit hashes of older processed message ids (the idempotency window beyond <see cref="Processed"/>).</summary>
    [Id(13)] public List<ulong>? ProcessedIdHashes { get; set; }
    /// <summary>Replies recorded with their turns that their channel has not yet sent and recorded in its outbox; null while none.</summary>
    [Id(14)] public List<OutboxEntry>? PendingReplies { get; set; }
    /// <summary>
    /// Identity keys (address pseudonyms, never raw addresses) the identity grain binds to this customer, as far as it
    /// knows: a turn routed here by an ingress's cached binding is accepted only for one of these.
    /// </summary>
    public IReadOnlyList<string> OwnedIdentities => _owned is { } owned ? [.. owned.Select(k => k.ToString())] : [];
    // Stored as the set it always was (same [Id], same type). In memory an array, usually of one key, each key as its
    // shared prefix and its 128-bit pseudonym (OwnedKey): a HashSet with its buckets and entries was about 150 bytes and
    // the key string another 118. Null while none.
    [Id(15)]
    internal HashSet<string> OwnedIdentitySet
    {
        get => new((_owned ?? []).Select(k => k.ToString()));
        set => _owned = value is { Count: > 0 } ? [.. value.Select(OwnedKey.Of)] : null;
    }
    [NonSerialized] private OwnedKey[]? _owned;

    /// <summary>Whether <paramref name="identityKey"/> is bound to this customer, as far as it knows.</summary>
    public bool Owns(string identityKey) => IndexOfOwned(identityKey) >= 0;

    private int IndexOfOwned(string identityKey)
    {
        if (_owned is not { } owned) return -1;
        for (var i = 0; i < owned.Length; i++)
            if (owned[i].Is(identityKey)) return i;
        return -1;
    }
    /// <summary>Identity keys released to another customer: a late turn from an older identity lookup does not take them back.</summary>
    [Id(16)] public HashSet<string>? ReleasedIdentities { get; set; }
    /// <summary>The addresses as stored: pseudonym and vault ciphertext, never the clear value; in the order of <see cref="Addresses"/>.</summary>
    [Id(17)] public List<SealedAddress> SealedAddresses { get => Unpacked()._sealedAddresses ??= []; set => Unpacked()._sealedAddresses = value; }
    [NonSerialized] private List<SealedAddress>? _sealedAddresses = [];
    /// <summary>Journey enrolments wait on this customer's next move (IJourneyWaitersGrain): its turns tell them. Set and cleared by that grain.</summary>
    [Id(18)] public bool JourneysWaiting { get; set; }

    // ---- what an idle customer keeps packed ----

    /// <summary>
    /// The layers and addresses of an idle customer, serialized (<see cref="PackIdle"/>): a few turns leave about 1 KB of
    /// small objects in them (three layer objects, the last inputs, the intent counts' dictionary, the clear and sealed
    /// address lists with the pseudonym string and the ciphertext), which take a few hundred bytes as one array.
    /// </summary>
    [NonSerialized] private byte[]? _packed;
    /// <summary>The serializer that packed <see cref="_packed"/>, to read it back with.</summary>
    [NonSerialized] private global::Orleans.Serialization.Serializer? _packer;

    /// <summary>Whether the layers and addresses are packed (the customer is idle and no call has touched them since).</summary>
    public bool Packed => _packed is not null;

    /// <summary>
    /// Packs the context layers and the addresses into one array (the customer is idle); any access to one of them reads
    /// them back. Not for a state not created yet (its first call fills them anyway).
    /// </summary>
    public void PackIdle(global::Orleans.Serialization.Serializer serializer)
    {
        if (_packed is not null || !Created) return;
        _packed = serializer.SerializeToArray(new IdleLayers
        {
            Ephemeral = _ephemeral,
            Intent = _intent,
            System = _system,
            Addresses = _addresses,
            SealedAddresses = _sealedAddresses,
        });
        _packer = serializer;
        _ephemeral = null;
        _intent = null;
        _system = null;
        _addresses = null;
        _sealedAddresses = null;
    }

    /// <summary>This state, its layers and addresses read back first if they are packed.</summary>
    private CustomerState Unpacked()
    {
        if (_packed is not { } packed) return this;
        var layers = _packer!.Deserialize<IdleLayers>(packed) ?? throw new InvalidDataException("The packed layers read back empty.");
        _packed = null;
        _packer = null;
        _ephemeral = layers.Ephemeral;
        _intent = layers.Intent;
        _system = layers.System;
        _addresses = layers.Addresses;
        _sealedAddresses = layers.SealedAddresses;
        return this;
    }

    // In memory only (no [Id]): what the calls that run without the history need of it, kept up to date live and
    // rebuilt from the history by Index after a load.
    /// <summary>Transcript lines ever appended (the folded ones included).</summary>
    [field: NonSerialized] public int TranscriptLines { get; private set; }
    /// <summary>Per channel, the latest inbound line: its number and time.</summary>
    [NonSerialized] private InboundMark[]? _inbound;
    /// <summary><see cref="IdHash"/> of each message in <see cref="Processed"/>, in its order.</summary>
    [NonSerialized] private ulong[]? _recentIds;

    private readonly record struct InboundMark(Channel Channel, int Line, DateTimeOffset Time);

    public const int TranscriptLimit = 200;
    /// <summary>Message ids remembered for deduplication (channels redeliver for days: WhatsApp up to 7).</summary>
    public const int ProcessedLimit = 1000;
    /// <summary>Of those, how many keep the reply they got (a redelivery is answered with it).</summary>
    public const int RepliesKept = 16;
    public const int AuditLimit = 200;
    public const int CallIdsKept = 5;

    // Every change below is made the same way live and when a journal is replayed, so replay rebuilds exactly this state.

    /// <summary>Replays one journal record.</summary>
    public void Apply(CustomerChange c)
    {
        if (c.CreatedAt is { } created) Create(created);
        foreach (var a in c.Addresses) AddLegacyAddress(a);
        foreach (var a in c.AddressesSealed ?? []) AddSealedAddress(a);
        foreach (var (token, sealedValue) in c.Vault) SealedVault[token] = sealedValue;
        if (c.InboundChannel is { } channel) AddInboundChannel(channel);
        foreach (var t in c.Transcript) AppendTranscript(t);
        if (c.Processed is { } p) AddProcessed(p);
        foreach (var a in c.Audit) AddAudit(a);
        foreach (var consent in c.Consent) new ConsentRegistry(Consent ??= []).Record(consent);
        if (c.Ephemeral is not null) Ephemeral = c.Ephemeral;
        if (c.Intent is not null)
        {
            if (c.IntentHistory is { } delta)
            {
                // The record carries the layer without its history, and what the call did to the history.
                var history = Intent.History;
                history.RemoveRange(0, Math.Min(delta.Dropped, history.Count));
                history.AddRange(delta.Added);
                c.Intent.History = history;
            }
            Intent = c.Intent;
        }
        if (c.System is not null) System = c.System;
        if (c.EngineData is not null) EngineData = c.EngineData;
        foreach (var entry in c.RepliesAdded) AddPendingReply(entry);
        foreach (var id in c.RepliesHandedOff) RemovePendingReply(id);
        foreach (var key in c.IdentitiesReleased ?? []) ReleaseIdentity(key);
        foreach (var key in c.IdentitiesOwned ?? []) OwnIdentity(key);
        if (c.JourneysWaiting is { } waiting) JourneysWaiting = waiting;
    }

    /// <summary>The identity is this customer's (a link or a registration; it takes back a release).</summary>
    public bool OwnIdentity(string identityKey)
    {
        var released = ReleasedIdentities?.Remove(identityKey) ?? false;
        if (ReleasedIdentities is { Count: 0 }) ReleasedIdentities = null;
        if (Owns(identityKey)) return released;
        var key = OwnedKey.Of(identityKey);
        _owned = _owned is null ? [key] : [.. _owned, key];
        return true;
    }

    public bool ReleaseIdentity(string identityKey)
    {
        var owned = IndexOfOwned(identityKey);
        if (owned >= 0) _owned = _owned!.Length == 1 ? null : [.. _owned.Where((_, i) => i != owned)];
        return (owned >= 0) | (ReleasedIdentities ??= []).Add(identityKey);
    }

    public bool HasReleased(string identityKey) => ReleasedIdentities?.Contains(identityKey) ?? false;

    /// <summary>The vault to add to (created on first use).</summary>
    public Dictionary<string, byte[]> SealedVault => Vault ??= [];

    public bool InVault(string token) => Vault?.ContainsKey(token) ?? false;

    public bool TryOpenVault(string token, out byte[]? sealedValue)
    {
        sealedValue = null;
        return Vault?.TryGetValue(token, out sealedValue) ?? false;
    }

    public int PendingReplyCount => PendingReplies?.Count ?? 0;

    public OutboxEntry? FindPendingReply(string id) => PendingReplies?.Find(e => e.Id == id);

    public void AddPendingReply(OutboxEntry entry) => (PendingReplies ??= []).Add(entry);

    public bool RemovePendingReply(string id)
    {
        if (PendingReplies is null || PendingReplies.RemoveAll(e => e.Id == id) == 0) return false;
        if (PendingReplies.Count == 0) PendingReplies = null;
        return true;
    }

    public bool SeenOlder(string messageId) => SeenOlder(IdHash(messageId));

    /// <summary>Whether a message of this <see cref="IdHash"/> is among the older processed ids (beyond <see cref="Processed"/>).</summary>
    public bool SeenOlder(ulong idHash) => ProcessedIdHashes is { Count: > 0 } hashes && hashes.Contains(idHash);

    /// <summary>Whether <see cref="Processed"/> may hold a message of this <see cref="IdHash"/> (known without the history).</summary>
    public bool MayBeRecent(ulong idHash) => _recentIds is { } recent && Array.IndexOf(recent, idHash) >= 0;

    // ---- the turn history, held while a call needs it ----

    /// <summary>Whether the transcript, its summary and the kept replies are in memory (else only the journal has them).</summary>
    public bool HistoryHeld => _transcript is not null;

    /// <summary>Whether a snapshot of this state loses nothing (the history is held).</summary>
    public static bool IsWhole(CustomerState state) => state.HistoryHeld;

    private static InvalidOperationException HistoryNotHeld() =>
        new("The customer's turn history is not in memory: load it from the journal first (CustomerGrain.HoldHistory).");

    /// <summary>After a load: rebuilds what is kept in memory without the history (line count, inbound marks, recent ids).</summary>
    public void Index()
    {
        var transcript = Transcript;
        var folded = Summary.FoldedTurns;
        TranscriptLines = folded + transcript.Count;
        _inbound = null;
        for (var i = 0; i < transcript.Count; i++)
            if (transcript[i].Direction == Direction.Inbound) MarkInbound(transcript[i].Channel, folded + i, transcript[i].Time);
        _recentIds = Processed.Count == 0 ? null : [.. Processed.Select(p => IdHash(p.MessageId))];
    }

    /// <summary>Drops the history from memory (the journal has it); kept while the customer does not exist yet, as its creation adds to it.</summary>
    public void ReleaseHistory()
    {
        if (!Created) return;
        _transcript = null;
        _summary = null;
        _processed = null;
    }

    /// <summary>
    /// Takes the history from <paramref name="durable"/> (this state as the journal has it, <see cref="Index"/>ed) and adds
    /// to it what <paramref name="pending"/> (the call under way, not yet written) appended, so it is as it would be had
    /// it been held all along. Fails, changing nothing, if the two disagree on the number of lines.
    /// </summary>
    public void AdoptHistory(CustomerState durable, CustomerChange? pending)
    {
        if (HistoryHeld) return;
        var added = pending?.Transcript.Count ?? 0;
        if (durable.TranscriptLines + added != TranscriptLines)
            throw new InvalidDataException($"The journal holds {durable.TranscriptLines} transcript lines and the call added {added}, but the customer counts {TranscriptLines}.");
        _transcript = durable.Transcript;
        _summary = durable.Summary;
        _processed = durable.Processed;
        if (pending is null) return;
        foreach (var t in pending.Transcript) FoldInto(t);
        if (pending.Processed is { } p)
        {
            _processed.Add(p);
            if (_processed.Count > RepliesKept) _processed.RemoveAt(0);
        }
    }

    /// <summary>Drops the oldest id of a full <see cref="_recentIds"/> and appends <paramref name="hash"/>, in place (no array per turn).</summary>
    private static void ShiftIn(ulong[] recent, ulong hash)
    {
        Array.Copy(recent, 1, recent, 0, recent.Length - 1);
        recent[^1] = hash;
    }

    /// <summary>The time of the latest inbound line on <paramref name="channel"/> among the transcript's last <see cref="TranscriptLimit"/>.</summary>
    public DateTimeOffset? LastInboundAt(Channel channel)
    {
        foreach (var mark in _inbound ?? [])
            if (mark.Channel == channel) return mark.Line >= TranscriptLines - TranscriptLimit ? mark.Time : null;
        return null;
    }

    private void MarkInbound(Channel channel, int line, DateTimeOffset time)
    {
        var marks = _inbound ?? [];
        var i = marks.Length - 1;
        while (i >= 0 && marks[i].Channel != channel) i--; // a loop, not FindIndex: no closure per inbound line
        if (i < 0)
        {
            Array.Resize(ref marks, marks.Length + 1);
            i = marks.Length - 1;
        }
        marks[i] = new InboundMark(channel, line, time);
        _inbound = marks;
    }

    /// <summary>Collections a call may have left empty go back to null (see <see cref="EngineData"/>, <see cref="EphemeralContext.TrimEmpty"/>).</summary>
    public void TrimEmpty()
    {
        if (_engineData is { Count: 0 }) _engineData = null;
        if (Packed) return; // trimmed before they were packed
        Ephemeral.TrimEmpty();
        // A first address grows each list to four slots; an idle customer keeps what it holds (mem11).
        Addresses.TrimExcess();
        SealedAddresses.TrimExcess();
    }

    public void Create(DateTimeOffset now)
    {
        // A state not created yet keeps its history (ReleaseHistory).
        Summary.FirstTurnAt ??= now;
        Created = true;
        System.CreatedAt = now;
    }

    /// <summary>Adds a new address (clear in memory, sealed for the journal); the Call-IDs it pushes out of the last <see cref="CallIdsKept"/> are added to <paramref name="trimmed"/>.</summary>
    public bool AddAddress(ChannelAddress address, SealedAddress sealedAddress, List<ChannelAddress>? trimmed = null)
    {
        if (Addresses.Contains(address)) return false;
        Addresses.Add(address);
        SealedAddresses.Add(sealedAddress);
        if (address.Kind == AddressKind.SipCallId) TrimCallIds(trimmed);
        return true;
    }

    /// <summary>Replays an address recorded sealed (the same trimming as <see cref="AddAddress"/>, on the stored form).</summary>
    public void AddSealedAddress(SealedAddress sealedAddress)
    {
        SealedAddresses.Add(sealedAddress);
        if (sealedAddress.Kind == AddressKind.SipCallId) TrimCallIds(SealedAddresses, a => a.Kind);
    }

    /// <summary>Replays an address a journal from before sealing recorded in clear.</summary>
    public void AddLegacyAddress(ChannelAddress address)
    {
        var legacy = _legacyAddresses ??= [];
        if (legacy.Contains(address)) return;
        legacy.Add(address);
        if (address.Kind == AddressKind.SipCallId) TrimCallIds(legacy, a => a.Kind);
    }

    /// <summary>
    /// After loading: fills <see cref="Addresses"/> with the clear values (clear ones from an old journal first: they are
    /// older than anything sealed) and seals the old clear ones, so nothing written from now on holds them in clear.
    /// An address no configured key opens is dropped. Returns how many were in clear and how many did not open.
    /// </summary>
    public (int Legacy, int Unopened) OpenAddresses(Func<SealedAddress, ChannelAddress?> open, Func<ChannelAddress, SealedAddress> seal)
    {
        var legacy = LegacyAddresses.Count;
        var stored = SealedAddresses;
        Addresses = [];
        SealedAddresses = [];
        foreach (var a in LegacyAddresses) if (!Addresses.Contains(a)) { Addresses.Add(a); SealedAddresses.Add(seal(a)); }
        _legacyAddresses = null;
        var unopened = 0;
        foreach (var s in stored)
        {
            if (open(s) is not { } a) { unopened++; continue; }
            if (Addresses.Contains(a)) continue;
            Addresses.Add(a);
            SealedAddresses.Add(s);
        }
        // Replayed apart, the two lists may hold more Call-IDs together than one list live would have kept.
        TrimCallIds(null);
        return (legacy, unopened);
    }

    /// <summary>Keeps the last <see cref="CallIdsKept"/> Call-IDs in both lists.</summary>
    private void TrimCallIds(List<ChannelAddress>? trimmed)
    {
        for (var excess = Addresses.Count(a => a.Kind == AddressKind.SipCallId) - CallIdsKept; excess > 0; excess--)
        {
            var oldest = Addresses.FindIndex(a => a.Kind == AddressKind.SipCallId);
            trimmed?.Add(Addresses[oldest]);
            Addresses.RemoveAt(oldest);
            SealedAddresses.RemoveAt(oldest);
        }
    }

    private static void TrimCallIds<T>(List<T> addresses, Func<T, AddressKind> kindOf)
    {
        for (var excess = addresses.Count(a => kindOf(a) == AddressKind.SipCallId) - CallIdsKept; excess > 0; excess--)
            addresses.RemoveAt(addresses.FindIndex(a => kindOf(a) == AddressKind.SipCallId));
    }

    /// <summary>Appends a line; without the history in memory only the count and marks change (the journal record carries the line).</summary>
    public void AppendTranscript(TranscriptTurn turn)
    {
        var line = TranscriptLines++;
        if (turn.Direction == Direction.Inbound) MarkInbound(turn.Channel, line, turn.Time);
        if (HistoryHeld) FoldInto(turn);
    }

    private void FoldInto(TranscriptTurn turn)
    {
        var transcript = Transcript;
        transcript.Add(turn);
        if (transcript.Count <= TranscriptLimit) return;
        var fold = transcript.Count - TranscriptLimit;
        var summary = Summary;
        foreach (var old in transcript.Take(fold))
        {
            summary.FoldedTurns++;
            summary.TurnsByChannel[old.Channel] = summary.TurnsByChannel.GetValueOrDefault(old.Channel) + 1;
            summary.LastFoldedAt = old.Time;
        }
        transcript.RemoveRange(0, fold);
    }

    /// <param name="idHash">The message id's <see cref="IdHash"/> when the caller has it already.</param>
    public void AddProcessed(ProcessedMessage message, ulong? idHash = null)
    {
        var recent = _recentIds ?? [];
        // The ids mirror the kept replies (Index made them so, each call keeps them so), except during a replay, which
        // runs before Index: then the list is the truth and Index rebuilds the ids.
        var mirrors = _processed is not { } held || recent.Length == held.Count;
        ulong pushed;
        if (_processed is { } processed)
        {
            processed.Add(message);
            if (processed.Count <= RepliesKept)
            {
                if (mirrors) _recentIds = [.. recent, idHash ?? IdHash(message.MessageId)];
                return;
            }
            pushed = mirrors ? recent[0] : IdHash(processed[0].MessageId);
            processed.RemoveAt(0);
            if (mirrors) ShiftIn(recent, idHash ?? IdHash(message.MessageId));
        }
        else
        {
            if (recent.Length < RepliesKept)
            {
                _recentIds = [.. recent, idHash ?? IdHash(message.MessageId)];
                return;
            }
            pushed = recent[0];
            ShiftIn(recent, idHash ?? IdHash(message.MessageId));
        }
        var hashes = ProcessedIdHashes ??= [];
        hashes.Add(pushed);
        if (hashes.Count > ProcessedLimit - RepliesKept) hashes.RemoveAt(0);
    }

    public void AddAudit(PiiAccessRecord record)
    {
        var audit = VaultAudit ??= [];
        audit.Add(record);
        if (audit.Count > AuditLimit) audit.RemoveRange(0, audit.Count - AuditLimit);
    }

    public static ulong IdHash(string messageId)
    {
        // Message ids are at most 256 characters (checked before a turn is handled): their UTF-8 fits on the stack.
        Span<byte> hash = stackalloc byte[32];
        var utf8 = global::System.Text.Encoding.UTF8;
        if (messageId.Length > 256)
        {
            global::System.Security.Cryptography.SHA256.HashData(utf8.GetBytes(messageId), hash);
            return BitConverter.ToUInt64(hash);
        }
        Span<byte> bytes = stackalloc byte[256 * 3];
        global::System.Security.Cryptography.SHA256.HashData(bytes[..utf8.GetBytes(messageId, bytes)], hash);
        return BitConverter.ToUInt64(hash);
    }
}

/// <summary>
/// What one turn (or outbound record) changed, as the journal stores it: appends to the growing parts (transcript,
/// vault, audit, consent history, addresses, processed ids) and the small context layers as they are after the turn.
/// </summary>
[GenerateSerializer, Alias("customer-change")]
public sealed class CustomerChange
{
    [Id(0)] public DateTimeOffset? CreatedAt { get; set; }
    /// <summary>Clear addresses, as journals from before sealing wrote them: read, never written (see <see cref="AddressesSealed"/>).</summary>
    [Id(1)] public List<ChannelAddress> Addresses { get; set; } = [];
    [Id(2)] public Dictionary<string, byte[]> Vault { get; set; } = [];
    [Id(3)] public Channel? InboundChannel { get; set; }
    [Id(4)] public List<TranscriptTurn> Transcript { get; set; } = [];
    [Id(5)] public ProcessedMessage? Processed { get; set; }
    [Id(6)] public List<PiiAccessRecord> Audit { get; set; } = [];
    [Id(7)] public List<ConsentChange> Consent { get; set; } = [];
    [Id(8)] public EphemeralContext? Ephemeral { get; set; }
    [Id(9)] public PersistentIntentContext? Intent { get; set; }
    [Id(10)] public SystemMetadata? System { get; set; }
    [Id(11)] public Dictionary<string, string>? EngineData { get; set; }
    [Id(12)] public List<OutboxEntry> RepliesAdded { get; set; } = [];
    [Id(13)] public List<string> RepliesHandedOff { get; set; } = [];
    /// <summary>Null when the call changed none (most turns: the list is not allocated).</summary>
    [Id(14)] public List<string>? IdentitiesOwned { get; set; }
    [Id(15)] public List<string>? IdentitiesReleased { get; set; }
    /// <summary>Addresses added, sealed (<see cref="Addresses"/> is what journals from before sealing wrote, in clear: read, never written); null when none.</summary>
    [Id(16)] public List<SealedAddress>? AddressesSealed { get; set; }
    /// <summary>
    /// Set when <see cref="Intent"/> is written without its history (an empty list): how the call changed the history
    /// instead (up to 50 intent records rewritten on every turn were most of a turn record). Null in older records,
    /// whose <see cref="Intent"/> carries the whole history.
    /// </summary>
    [Id(17)] public IntentHistoryChange? IntentHistory { get; set; }
    /// <summary><see cref="CustomerState.JourneysWaiting"/> flipped (a record of its own, only when it flips); null in every other record.</summary>
    [Id(18)] public bool? JourneysWaiting { get; set; }
}

/// <summary>What a call did to the intent history: dropped the oldest <see cref="Dropped"/> records, then appended <see cref="Added"/>.</summary>
[GenerateSerializer, Alias("intent-history-change")]
public sealed class IntentHistoryChange
{
    [Id(0)] public int Dropped { get; set; }
    [Id(1)] public List<IntentRecord> Added { get; set; } = [];

    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/> when it is a trim of the front plus appends; otherwise null.</summary>
    public static IntentHistoryChange? Between(IntentRecord[] before, List<IntentRecord> after)
    {
        for (var dropped = 0; dropped <= before.Length; dropped++)
        {
            var kept = before.Length - dropped;
            if (kept > after.Count) continue;
            var prefix = true;
            for (var i = 0; i < kept && prefix; i++) prefix = ReferenceEquals(before[dropped + i], after[i]);
            if (prefix) return new IntentHistoryChange { Dropped = dropped, Added = after.GetRange(kept, after.Count - kept) };
        }
        return null;
    }

    /// <summary>The layer as a turn record carries it: every field but the history, which <see cref="Between"/> describes.</summary>
    public static PersistentIntentContext WithoutHistory(PersistentIntentContext intent) => CopiedProperties == 0 ? intent : new()
    {
        History = [],
        PreferredChannel = intent.PreferredChannel,
        TurnsByChannel = intent.TurnsByChannel,
        ChannelSwitches = intent.ChannelSwitches,
        SwitchesWithRepeat = intent.SwitchesWithRepeat,
    };

    /// <summary>The properties <see cref="WithoutHistory"/> copies: a new one must be added there (checked at start-up).</summary>
    public static readonly int CopiedProperties = Check();

    private static int Check()
    {
        var count = typeof(PersistentIntentContext).GetProperties().Length;
        if (count != 5) throw new InvalidOperationException("PersistentIntentContext changed: update IntentHistoryChange.WithoutHistory to copy every property.");
        return count;
    }
}

[GenerateSerializer, Immutable, Alias("processed-message")]
public sealed record ProcessedMessage(
    [property: Id(0)] string MessageId,
    [property: Id(1)] EngineReply Reply,
    [property: Id(2)] string TokenizedText);

/// <summary>What an idle customer keeps packed (<see cref="CustomerState.PackIdle"/>): in memory only, never stored.</summary>
[GenerateSerializer, Alias("customer-idle-layers")]
internal sealed class IdleLayers
{
    [Id(0)] public EphemeralContext? Ephemeral { get; set; }
    [Id(1)] public PersistentIntentContext? Intent { get; set; }
    [Id(2)] public SystemMetadata? System { get; set; }
    [Id(3)] public List<ChannelAddress>? Addresses { get; set; }
    [Id(4)] public List<SealedAddress>? SealedAddresses { get; set; }
}

/// <summary>The vault's key material, kept apart from the customer state: removing it crypto-shreds the vault.</summary>
[GenerateSerializer, Alias("customer-key-state")]
public sealed class CustomerKeyState
{
    [Id(0)] public byte[]? Salt { get; set; }
}

/// <summary>
/// An identity key as the state keeps it in memory. A key spelled as <c>GrainKeys.Identity</c> spells it,
/// <c>{tenant}/{kind}/{32 lowercase hex digits}</c>, is held as its prefix (one shared instance per tenant and kind) and
/// the 128-bit pseudonym: 32 bytes in the array instead of a 118-byte string. Any other key is held whole.
/// <see cref="ToString"/> spells it exactly as it was given.
/// </summary>
internal readonly struct OwnedKey
{
    private const int HexDigits = 32;
    /// <summary>Prefixes shared so far; past this many, a prefix is kept per key (still exact, only larger).</summary>
    private const int PrefixesShared = 4096;
    private static readonly global::System.Collections.Concurrent.ConcurrentDictionary<string, string> Prefixes = new(StringComparer.Ordinal);

    private readonly string? _prefix;
    private readonly UInt128 _pseudonym;
    private readonly string? _whole;

    private OwnedKey(string? prefix, UInt128 pseudonym, string? whole)
    {
        _prefix = prefix;
        _pseudonym = pseudonym;
        _whole = whole;
    }

    public static OwnedKey Of(string identityKey)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        if (!TrySplit(identityKey, out var prefix, out var pseudonym)) return new OwnedKey(null, default, identityKey);
        var shared = Prefixes.TryGetValue(prefix.ToString(), out var known) ? known : Share(prefix.ToString());
        return new OwnedKey(shared, pseudonym, null);
    }

    private static string Share(string prefix) => Prefixes.Count < PrefixesShared ? Prefixes.GetOrAdd(prefix, prefix) : prefix;

    /// <summary>Whether this is <paramref name="identityKey"/> (ordinal, as the string compared).</summary>
    public bool Is(string identityKey)
    {
        if (_whole is not null) return string.Equals(_whole, identityKey, StringComparison.Ordinal);
        return TrySplit(identityKey, out var prefix, out var pseudonym) && pseudonym == _pseudonym && prefix.SequenceEqual(_prefix);
    }

    private static bool TrySplit(string key, out ReadOnlySpan<char> prefix, out UInt128 pseudonym)
    {
        prefix = default;
        pseudonym = default;
        if (key.Length <= HexDigits || key[^(HexDigits + 1)] != '/') return false;
        var hex = key.AsSpan(key.Length - HexDigits);
        foreach (var c in hex)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        pseudonym = UInt128.Parse(hex, global::System.Globalization.NumberStyles.AllowHexSpecifier, global::System.Globalization.CultureInfo.InvariantCulture);
        prefix = key.AsSpan(0, key.Length - HexDigits);
        return true;
    }

    public override string ToString() => _whole ?? string.Concat(_prefix, _pseudonym.ToString("x32", global::System.Globalization.CultureInfo.InvariantCulture));
}
