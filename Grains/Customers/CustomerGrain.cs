using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Switchboard.Dialog;
using Switchboard.Grains.Analytics;
using Switchboard.Grains.Consent;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Grains.Interfaces.Pii;
using Switchboard.Grains.Journaling;
using Switchboard.Grains.Pii;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Customers;

/// <param name="services">What the silo gives every customer, in one shared object: one reference per activation.</param>
public sealed class CustomerGrain(CustomerGrainServices services) : Grain, ICustomerGrain
{
    public const int MaxTextLength = 16 * 1024;
    public const int TranscriptLimit = CustomerState.TranscriptLimit;
    public const int ProcessedLimit = CustomerState.ProcessedLimit;
    public const int RepliesKept = CustomerState.RepliesKept;
    public const int LastInputsLimit = 5;
    public const string ExpectSecretDigitsKey = "expect-secret-digits";
    /// <summary>Journal records between snapshots: loading replays at most this many.</summary>
    public const int SnapshotEvery = 32;
    /// <summary>
    /// How long after its last call a customer keeps what calls bring into memory (the turn history, the derived keys)
    /// before dropping them (<c>Customers:IdleRelease</c>, a TimeSpan; 0 drops them when each call ends).
    /// </summary>
    public const string IdleReleaseSetting = "Customers:IdleRelease";
    public static readonly TimeSpan DefaultIdleRelease = TimeSpan.FromSeconds(5);

    private string _tenant = "";
    private string _customerId = "";
    private PiiTokenizer? _tokenizer;
    private PiiVault? _vault;
    private GrainJournal<CustomerState, CustomerChange> _journal = null!;
    /// <summary>The vault's salt, in a stream of its own: erasure scrubs it from the disk, which crypto-shreds every sealed value.</summary>
    private GrainJournal<CustomerKeyState, CustomerKeyState>? _keys;
    /// <summary>While idle: the salt and the key stream's version, without the journal object (<see cref="RestKeys"/>).</summary>
    private byte[]? _restingSalt;
    private long _restingKeysVersion;

    /// <summary>The keys journal, taken up again from <see cref="_restingSalt"/> if the customer let it go while idle.</summary>
    private GrainJournal<CustomerKeyState, CustomerKeyState> Keys
    {
        get
        {
            if (_keys is not null) return _keys;
            var keys = _keys = NewKeysJournal();
            keys.Resume(new CustomerKeyState { Salt = _restingSalt }, _restingKeysVersion);
            _restingSalt = null;
            return keys;
        }
    }

    private GrainJournal<CustomerKeyState, CustomerKeyState> NewKeysJournal() =>
        new(services.JournalStore, services.Serializer, new JournalStreamName(KeyStreamPrefix, _tenant, _customerId),
            static (state, change) => state.Salt = change.Salt, snapshotEvery: 1);

    /// <summary>
    /// An idle customer keeps only the salt of its keys journal (the stream holds nothing else after load) and the
    /// stream's version: the journal object and its state (about 150 bytes) are made again by the next call that needs them.
    /// </summary>
    private void RestKeys()
    {
        if (_keys is not { Broken: false } keys || !keys.LastWrite.IsCompletedSuccessfully)
        {
            _keys?.Rest();
            return;
        }
        _restingSalt = keys.State.Salt;
        _restingKeysVersion = keys.Version;
        _keys = null;
    }
    /// <summary>What the call under way changed; appended to the journal when it ends.</summary>
    private CustomerChange? _change;
    /// <summary>The intent history when the call under way began: its record carries only the difference.</summary>
    private IntentRecord[]? _historyBefore;
    /// <summary>
    /// Replies handed off since the last append. They are written with the next append (or when the activation ends),
    /// not each in a record of its own: until then the journal still lists the reply as pending, and a crash in between
    /// only makes the restart ask the outbox shard, which holds the sent reply, so it is not sent again.
    /// </summary>
    private List<string>? _handedOff;
    private CustomerState S => _journal.State;

    /// <summary>Armed while the customer holds what calls bring into memory: fires once it has been idle for <see cref="CustomerGrainServices.IdleRelease"/>.</summary>
    private IGrainTimer? _idleTimer;
    /// <summary><see cref="Environment.TickCount64"/> when a call last used the history or the keys (see <see cref="Busy"/>).</summary>
    private long _lastUse;

    /// <summary>
    /// A call uses the history or the keys: they stay in memory while calls keep coming (a snapshot, every
    /// <see cref="SnapshotEvery"/> records, would otherwise read the history back) and go once the customer is idle.
    /// A time stamp per call; the timer is armed once per busy spell, not at each call, and no call filter runs (it
    /// would cost every call an invoker and two async frames: docs/performance.md, mem8). With <see cref="IdleReleaseSetting"/>
    /// 0 the timer is due at once: as a non-interleaved tick, it lets go when the call under way has ended.
    /// </summary>
    private void Busy()
    {
        _lastUse = Environment.TickCount64;
        if (_idleTimer is not null) return;
        _idleTimer = this.RegisterGrainTimer(static (grain, _) => grain.OnIdle(), this,
            new GrainTimerCreationOptions(services.IdleRelease, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = false });
    }

    /// <summary>The timer fired: lets go if no call has used the history or keys for <see cref="CustomerGrainServices.IdleRelease"/>, else waits the rest of it.</summary>
    private Task OnIdle()
    {
        var idle = TimeSpan.FromMilliseconds(Environment.TickCount64 - _lastUse);
        if (idle < services.IdleRelease && _idleTimer is { } timer)
        {
            timer.Change(services.IdleRelease - idle, Timeout.InfiniteTimeSpan);
            return Task.CompletedTask;
        }
        _idleTimer?.Dispose();
        _idleTimer = null;
        ReleaseIdle();
        return Task.CompletedTask;
    }

    /// <summary>What an idle customer does not keep: the turn history (the journal has it), derived keys, empty collections.</summary>
    private void ReleaseIdle()
    {
        S.TrimEmpty();
        S.ReleaseHistory();
        S.PackIdle(services.Serializer);
        CloseKeys();
        // Its key is a string of its own (the state's copy is the one kept): the next busy spell computes it again.
        _lastIdentity = null;
        _journal.Rest();
        RestKeys();
    }

    private const string StreamPrefix = "customer/";
    private const string KeyStreamPrefix = "keys/";

    public static string StreamOf(string tenant, string customerId) => new JournalStreamName(StreamPrefix, tenant, customerId).Name;

    public static string KeyStreamOf(string tenant, string customerId) => new JournalStreamName(KeyStreamPrefix, tenant, customerId).Name;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _customerId) = GrainKeys.ParseCustomer(this.GetPrimaryKeyString());
        // The directory's instance of the tenant id, not one parsed copy per customer.
        if (services.Tenants.Find(_tenant)?.Id is { } shared && shared == _tenant) _tenant = shared;
        // Names as parts (StreamOf and KeyStreamOf spell them the same): no name string kept per activation.
        _journal = new GrainJournal<CustomerState, CustomerChange>(services.JournalStore, services.Serializer, new JournalStreamName(StreamPrefix, _tenant, _customerId),
            static (state, change) => state.Apply(change), SnapshotEvery, static state => state.PendingReplyCount > 0, CustomerState.IsWhole);
        _keys = NewKeysJournal();
        await Task.WhenAll(_journal.LoadAsync(), _keys.LoadAsync());
        // The turn history stays in the journal until a call needs it (HoldHistory).
        S.Index();
        await OpenAddresses();
        // Loaded whole: the history (and the keys OpenAddresses may have derived) go once the customer is idle; a
        // customer with nothing to let go gets no timer.
        if ((S.Created && S.HistoryHeld) || _tokenizer is not null) Busy();
    }

    /// <summary>
    /// Brings the turn history (transcript, summary, kept replies) into memory from the journal, with what the call under
    /// way (<paramref name="pending"/>, not yet written) appended to it; <see cref="CustomerState.ReleaseHistory"/> drops it again.
    /// </summary>
    private async Task HoldHistory(CustomerChange? pending = null)
    {
        Busy();
        if (S.HistoryHeld) return;
        var durable = await _journal.ReadDurableAsync();
        durable.Index();
        S.AdoptHistory(durable, pending);
    }

    public Task<TurnResult> HandleTurn(InboundTurn turn) => Handle(turn, null);

    public Task<TurnResult?> HandleTurnFrom(InboundTurn turn, bool cached)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (turn.Tenant != _tenant) throw new ArgumentException("The turn names another tenant than this customer's.");
        var identityKey = IdentityKeyOf(turn.From);
        if (cached && !(S.Created && S.Owns(identityKey)))
        {
            // A stale route (the address went to another customer, or this one was erased): the ingress asks identity.
            if (!S.Created && _journal.Version == 0) DeactivateOnIdle();
            return Task.FromResult<TurnResult?>(null);
        }
        return Handle(turn, identityKey)!;
    }

    /// <summary>The identity key of the address the last turn came from, kept so a customer's next turn does not compute it again.</summary>
    private (ChannelAddress Address, string Key)? _lastIdentity;

    private string IdentityKeyOf(ChannelAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_lastIdentity is { } last && last.Address.Equals(address)) return last.Key;
        var key = services.Pseudonyms.IdentityKey(_tenant, address);
        _lastIdentity = (address, key);
        return key;
    }

    /// <param name="identityKey">The sender's identity key when the call says which address it came from: the customer takes it as its own unless it released it.</param>
    private async Task<TurnResult> Handle(InboundTurn turn, string? identityKey)
    {
        Validate(turn);
        if (turn.Tenant != _tenant) throw new ArgumentException("The turn names another tenant than this customer's.");

        var idHash = CustomerState.IdHash(turn.MessageId);
        var seen = S.MayBeRecent(idHash) ? await FindProcessed(turn.MessageId) : null;
        if (seen is not null || S.SeenOlder(idHash))
        {
            if (services.Logger.IsEnabled(LogLevel.Information))
                services.Logger.LogInformation("Duplicate message {MessageId} for customer {CustomerId} ignored", turn.MessageId, _customerId);
            // The first delivery may still be on its way to disk: answer only once it is there.
            await _journal.LastWrite;
            // An old duplicate's reply is no longer kept; it was delivered (or queued) the first time.
            // A reply still waiting for its channel is handed back, so a redelivery after a lost hand-off resumes it.
            var pending = S.FindPendingReply(ReplyIdOf(turn.MessageId));
            return new TurnResult(_customerId, true, seen?.Reply ?? new EngineReply(""), seen?.TokenizedText ?? "",
                seen is null ? null : ReplyConsentFor(turn, Keyword(turn)), ConsentKeyword.None, pending,
                AddressBound: identityKey is not null && S.Owns(identityKey));
        }

        await EnsureKeys();
        var change = Begin();
        var now = turn.Time == default ? services.Time.GetUtcNow() : turn.Time;
        if (!S.Created)
        {
            S.Create(now);
            change.CreatedAt = now;
        }
        AddAddress(turn.From);
        if (identityKey is not null && !S.HasReleased(identityKey)) OwnIdentity(identityKey);

        var expectSecret = S.EngineData.TryGetValue(ExpectSecretDigitsKey, out var flag) && flag == "1";
        var text = Tokenize(turn.Text ?? "", expectSecret);
        var payload = turn.Payload is null ? null : turn.Payload with
        {
            // Keyed digits are what a caller types a card number, a PIN or an OTP with.
            Id = turn.Payload is { Kind: PayloadKind.Dtmf, Id: { } keyed } ? Tokenize(keyed, expectSecret) : turn.Payload.Id,
            Title = turn.Payload.Title is null ? null : Tokenize(turn.Payload.Title, expectSecret),
            Fields = turn.Payload.Fields?.ToDictionary(kv => kv.Key, kv => Tokenize(kv.Value, expectSecret)),
        };
        var transcriptText = text.Length > 0 ? text : DescribePayload(payload);

        var previous = S.Ephemeral.LastChannel;
        var before = new TurnEvents.Before(previous, S.Intent.SwitchesWithRepeat, S.Intent.History.Count);
        var started = services.Time.GetTimestamp();
        if (previous is { } p && p != turn.Channel) S.Intent.ChannelSwitches++;
        S.Ephemeral.LastChannel = turn.Channel;
        S.AddInboundChannel(turn.Channel);
        change.InboundChannel = turn.Channel;
        S.Intent.TurnsByChannel[turn.Channel] = S.Intent.TurnsByChannel.GetValueOrDefault(turn.Channel) + 1;
        S.Ephemeral.LastInputs.Add(transcriptText);
        if (S.Ephemeral.LastInputs.Count > LastInputsLimit) S.Ephemeral.LastInputs.RemoveAt(0);
        S.Ephemeral.UpdatedAt = now;
        AppendTranscript(new TranscriptTurn(turn.Channel, Direction.Inbound, now, transcriptText, turn.MessageId));

        var keyword = Keyword(turn);
        var reply = keyword == ConsentKeyword.None
            ? await RunEngine(turn.Channel, text, payload, now, previous)
            : KeywordReply(turn, keyword, now);
        reply = await CompleteAction(reply with { Text = Tokenize(reply.Text, false) }, turn.Rules);
        AppendTranscript(new TranscriptTurn(turn.Channel, Direction.Outbound, services.Time.GetUtcNow(), reply.Text));

        var processed = new ProcessedMessage(turn.MessageId, reply, transcriptText);
        S.AddProcessed(processed, idHash);
        change.Processed = processed;
        var consent = ReplyConsentFor(turn, keyword);
        var refused = consent is { Allowed: false } ? "consent"
            : turn.Rules is { ReplyNeedsWindow: true } && keyword == ConsentKeyword.None && !Outbox.ServiceWindow.IsOpen(now, services.Time.GetUtcNow()) ? "outside-service-window"
            : null;
        if (refused is not null)
            services.Logger.LogInformation("Reply to {MessageId} for customer {CustomerId} not sent: {Reason}", turn.MessageId, _customerId, refused);
        var outbound = refused is null ? ReplyEntry(turn, reply, now) : null;
        if (outbound is not null)
        {
            S.AddPendingReply(outbound);
            change.RepliesAdded.Add(outbound);
        }

        List<ConsentChange>? consentChanges = change.Consent.Count == 0 ? null : [.. change.Consent];
        await Commit();
        if (_trimmedCallIds is { Count: > 0 }) await UnbindTrimmedCallIds();
        // Journeys waiting for this customer's reply or intent look now (only when one said it waits, a flag in the
        // state that survives deactivation and restart: a customer nobody waits on costs no call and no write).
        if (S.JourneysWaiting)
            GrainFactory.GetGrain<Interfaces.Journeys.IJourneyWaitersGrain>(Interfaces.Journeys.JourneyKeys.Ledger(_tenant, _customerId)).CustomerActed().Ignore();
        TurnEvents.Publish(services.Analytics, _tenant, _customerId, turn.MessageId, turn.Channel, now, before, reply, S.Ephemeral, S.Intent, services.Time.GetElapsedTime(started));

        foreach (var c in consentChanges ?? []) TurnEvents.PublishConsent(services.Analytics, _tenant, _customerId, c);
        // Checked first: the call would box its arguments into an array on every turn even with Information off.
        if (services.Logger.IsEnabled(LogLevel.Information))
            services.Logger.LogInformation("Turn {MessageId} on {Channel} handled for customer {CustomerId} ({Length} chars in)",
                turn.MessageId, turn.Channel.ToWire(), _customerId, transcriptText.Length);
        return new TurnResult(_customerId, false, reply, transcriptText, consent, keyword, outbound, refused,
            identityKey is not null && S.Owns(identityKey));
    }

    /// <summary>
    /// The reply as an outbound message on the route the channel gave, recorded with the turn: null when there is no
    /// route, nothing to say (a reaction asks for no answer), or consent refuses it.
    /// </summary>
    private OutboxEntry? ReplyEntry(InboundTurn turn, EngineReply reply, DateTimeOffset now)
    {
        if (turn.Rules?.Route is not { } route || turn.Payload?.Kind == PayloadKind.Reaction) return null;
        if (reply.IsEmpty) return null;
        var summary = reply.Text.Length > 120 ? reply.Text[..117] + "..." : reply.Text;
        var message = new OutboundMessage(_tenant, _customerId, turn.Channel, route.Recipient, OutboundKind.FreeForm, "", summary,
            $"{turn.Channel.ToWire()}-reply:{_customerId}:{turn.MessageId}", route.Delivery, turn.Time, route.Sender, reply, route.PublicBaseUrl);
        var entry = new OutboxEntry
        {
            Id = ReplyIdOf(turn.MessageId),
            Message = message,
            Status = OutboxStatus.Queued,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now,
        };
        entry.History.Add(new StatusMark(OutboxStatus.Queued, now));
        return entry;
    }

    private string ReplyIdOf(string messageId) => $"{_customerId}-reply-{messageId}";

    public Task<IReadOnlyList<OutboxEntry>> PendingReplies() => Task.FromResult<IReadOnlyList<OutboxEntry>>([.. S.PendingReplies ?? []]);

    public Task JourneysWaiting() => SetJourneysWaiting(true);

    public Task JourneysDone() => SetJourneysWaiting(false);

    /// <summary>A journal record only when the flag flips.</summary>
    private async Task SetJourneysWaiting(bool waiting)
    {
        if (S.JourneysWaiting == waiting || !S.Created) return;
        var change = Begin();
        change.JourneysWaiting = waiting;
        S.JourneysWaiting = waiting;
        await Commit(layers: false);
    }

    public Task ReplyHandedOff(string entryId)
    {
        if (S.RemovePendingReply(entryId)) (_handedOff ??= []).Add(entryId);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_handedOff is not { Count: > 0 }) return;
        try
        {
            Begin();
            await Commit(layers: false);
        }
        catch (Exception e)
        {
            // Still pending in the journal: the next start asks the outbox shard, which already holds these replies.
            services.Logger.LogWarning("Hand-offs of customer {CustomerId} not written at deactivation: {Error}", _customerId, e.GetType().Name);
        }
    }

    /// <summary>The checks a turn must pass before anything is bound or stored.</summary>
    public static void Validate(InboundTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (string.IsNullOrWhiteSpace(turn.MessageId) || turn.MessageId.Length > 256)
            throw new ArgumentException("A turn needs a message id of 1 to 256 characters.");
        if (turn.Text is { Length: > MaxTextLength })
            throw new ArgumentException($"The message text is longer than {MaxTextLength} characters.");
        if (turn.Payload?.Title is { Length: > 1024 } || turn.Payload?.Id is { Length: > 256 } || turn.Payload?.Fields is { Count: > 32 })
            throw new ArgumentException("The structured payload is too large.");
        if (turn.Rules is { } r && (r.OptOutWords.Count + r.OptInWords.Count + (r.HelpWords?.Count ?? 0) > 64
            || r.OptOutReply.Length > 1024 || r.OptInReply.Length > 1024 || r.HelpReply?.Length > 1024))
            throw new ArgumentException("The turn's channel rules are too large.");
    }

    private static ConsentKeyword Keyword(InboundTurn turn) =>
        turn.Rules is { } rules && turn.Payload is null ? ConsentKeywords.Match(turn.Text, rules) : ConsentKeyword.None;

    /// <summary>STOP / START change consent for the channel's keyword purposes (once: a repeat adds no history); HELP only answers.</summary>
    private EngineReply KeywordReply(InboundTurn turn, ConsentKeyword keyword, DateTimeOffset now)
    {
        var rules = turn.Rules!;
        if (keyword == ConsentKeyword.Help) return new EngineReply(rules.HelpReply ?? "");
        var status = keyword == ConsentKeyword.OptOut ? ConsentStatus.Revoked : ConsentStatus.Granted;
        var registry = new ConsentRegistry(S.Consent ??= []);
        foreach (var purpose in rules.KeywordPurposes)
        {
            if (registry.StatusOf(turn.Channel, purpose) == status) continue;
            var consent = new ConsentChange(turn.Channel, purpose, status, $"{turn.Channel.ToWire()}-keyword", $"message {turn.MessageId}", now);
            registry.Record(consent);
            _change!.Consent.Add(consent);
            services.Logger.LogInformation("Consent {Purpose} on {Channel} set to {Status} by keyword for customer {CustomerId}",
                purpose.ToWire(), turn.Channel.ToWire(), status.ToWire(), _customerId);
        }
        return new EngineReply(keyword == ConsentKeyword.OptOut ? rules.OptOutReply : rules.OptInReply);
    }

    /// <summary>Whether the reply may go out on the turn's channel: keyword answers are compliance notices and always may.</summary>
    private ConsentDecision? ReplyConsentFor(InboundTurn turn, ConsentKeyword keyword)
    {
        if (turn.Rules is not { } rules || keyword != ConsentKeyword.None) return null;
        return Decide(turn.Channel, rules.ReplyPurpose);
    }

    /// <summary>The kept reply to a recent message (read from the journal when the history is not held: redeliveries are rare).</summary>
    private async Task<ProcessedMessage?> FindProcessed(string messageId)
    {
        await HoldHistory();
        var processed = S.Processed;
        ProcessedMessage? found = null;
        for (var i = processed.Count - 1; i >= 0 && found is null; i--)
            if (processed[i].MessageId == messageId) found = processed[i];
        return found;
    }

    /// <summary>Gives a call-us reply its call code and a continue-on-web reply its session token, inside the turn.</summary>
    private ValueTask<EngineReply> CompleteAction(EngineReply reply, TurnRules? rules) =>
        rules is null || reply.Action is null ? ValueTask.FromResult(reply) : new ValueTask<EngineReply>(CompleteActionAsync(reply, rules));

    private async Task<EngineReply> CompleteActionAsync(EngineReply reply, TurnRules rules)
    {
        if (reply.Action is not { } action) return reply;
        if (action.Kind == ReplyActionKind.CallUs && action.CallCode is null && rules.CallCodeLifetime > TimeSpan.Zero)
            return reply with { Action = action with { CallCode = await IssueCallCode(rules.CallCodeLifetime) } };
        if (action.Kind == ReplyActionKind.ContinueOnWeb && action.SessionToken is null && rules.WebLinkLifetime > TimeSpan.Zero)
            return reply with { Action = action with { SessionToken = IssueToken("continue-on-web", rules.WebLinkLifetime) } };
        return reply;
    }

    public async Task RecordOutbound(Channel channel, string text, string? messageId)
    {
        EnsureExists();
        await EnsureKeys();
        Begin();
        AppendTranscript(new TranscriptTurn(channel, Direction.Outbound, services.Time.GetUtcNow(), Tokenize(text, false), messageId));
        await Commit(layers: false);
    }

    public async Task<bool> Exists()
    {
        // A customer whose first turn is still being written does not exist yet for anyone else.
        await _journal.LastWrite;
        return S.Created;
    }

    public Task<CustomerView> GetView()
    {
        EnsureExists();
        Busy(); // reads the layers and addresses (packed while idle)
        var registry = new ConsentRegistry(S.Consent ?? []);
        var consent = new List<ConsentEntry>();
        foreach (var channel in Enum.GetValues<Channel>())
            foreach (var purpose in Enum.GetValues<ConsentPurpose>())
                consent.Add(new ConsentEntry(channel, purpose, registry.StatusOf(channel, purpose), [.. registry.History(channel, purpose)]));
        return Task.FromResult(new CustomerView(_tenant, _customerId, S.Ephemeral, S.Intent, S.System, consent,
            [.. S.Addresses], S.Vault is { } v ? [.. v.Keys] : [], S.TranscriptLines));
    }

    public async Task<TranscriptPage> GetTranscript()
    {
        EnsureExists();
        await HoldHistory();
        return new TranscriptPage(S.Summary, [.. S.Transcript]);
    }

    public async Task Register(ChannelAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var identityKey = services.Pseudonyms.IdentityKey(_tenant, address);
        if (S.Created && S.Addresses.Contains(address) && S.Owns(identityKey)) return;
        await EnsureKeys();
        var change = Begin();
        if (!S.Created)
        {
            var now = services.Time.GetUtcNow();
            S.Create(now);
            change.CreatedAt = now;
        }
        AddAddress(address);
        OwnIdentity(identityKey);
        await Commit(layers: false);
        if (_trimmedCallIds is { Count: > 0 }) await UnbindTrimmedCallIds();
    }

    public async Task LinkAddress(ChannelAddress address)
    {
        EnsureExists();
        ArgumentNullException.ThrowIfNull(address);
        await EnsureKeys();
        Begin();
        AddAddress(address);
        OwnIdentity(services.Pseudonyms.IdentityKey(_tenant, address));
        await Commit(layers: false);
        if (_trimmedCallIds is { Count: > 0 }) await UnbindTrimmedCallIds();
    }

    public async Task ReleaseAddress(ChannelAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var identityKey = services.Pseudonyms.IdentityKey(_tenant, address);
        if (!S.Owns(identityKey) && S.HasReleased(identityKey)) return;
        Busy(); // its record reads the layers (packed while idle)
        // Written even for a customer not created yet: its first turn may still be on its way from an older lookup.
        var change = Begin();
        S.ReleaseIdentity(identityKey);
        (change.IdentitiesReleased ??= []).Add(identityKey);
        await Commit(layers: false);
        services.Logger.LogInformation("Customer {CustomerId} released an address of kind {Kind} to another customer", _customerId, address.Kind.ToWire());
    }

    public Task<ConsentDecision> CanContact(Channel channel, ConsentPurpose purpose)
    {
        if (!S.Created) return Task.FromResult(new ConsentDecision(false, ConsentStatus.Unknown, "unknown customer"));
        var wrote = S.LastInboundAt(channel);
        return Task.FromResult(Decide(channel, purpose) with { CustomerWroteAt = wrote });
    }

    public Task<CustomerContactFacts> ContactFacts(IReadOnlyList<Channel> channels, ConsentPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(channels);
        EnsureExists();
        Busy(); // reads the layers and addresses (packed while idle)
        var consent = new ConsentDecision[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            consent[i] = Decide(channel, purpose) with { CustomerWroteAt = S.LastInboundAt(channel) };
        }
        var slots = new Dictionary<string, string>(S.Ephemeral.Slots.Count, StringComparer.Ordinal);
        foreach (var (name, slot) in S.Ephemeral.Slots) slots[name] = slot.Display ?? slot.Value;
        var phone = S.Addresses.LastOrDefault(a => a.Kind == AddressKind.Phone)?.Value;
        return Task.FromResult(new CustomerContactFacts(consent, new Dictionary<Channel, int>(S.Intent.TurnsByChannel), [.. S.Intent.History], slots, phone));
    }

    private ConsentDecision Decide(Channel channel, ConsentPurpose purpose)
    {
        var policy = services.Tenants.Find(_tenant)?.Consent ?? new ConsentPolicy();
        return new ConsentRegistry(S.Consent ?? []).CanContact(channel, purpose, policy, S.WroteOn(channel));
    }

    public async Task RecordConsent(ConsentChange change)
    {
        EnsureExists();
        ArgumentNullException.ThrowIfNull(change);
        if (string.IsNullOrWhiteSpace(change.Source) || change.Source.Length > 128)
            throw new ArgumentException("Consent needs a source of 1 to 128 characters.");
        if (string.IsNullOrWhiteSpace(change.Evidence) || change.Evidence.Length > 1024)
            throw new ArgumentException("Consent needs evidence of 1 to 1024 characters.");
        await EnsureKeys();
        var recorded = Begin();
        var evidence = Tokenize(change.Evidence, false);
        var consent = change with { Evidence = evidence, At = change.At == default ? services.Time.GetUtcNow() : change.At };
        new ConsentRegistry(S.Consent ??= []).Record(consent);
        recorded.Consent.Add(consent);
        await Commit(layers: false);
        TurnEvents.PublishConsent(services.Analytics, _tenant, _customerId, consent);
        services.Logger.LogInformation("Consent {Purpose} on {Channel} set to {Status} for customer {CustomerId}",
            change.Purpose.ToWire(), change.Channel.ToWire(), change.Status.ToWire(), _customerId);
    }

    public async Task MarkVerified(Channel channel, string method, bool mfa)
    {
        EnsureExists();
        Busy(); // its record reads the layers (packed while idle)
        Begin();
        S.System.Verification = new VerificationStatus { Verified = true, Method = method, Channel = channel, VerifiedAt = services.Time.GetUtcNow(), MfaPassed = mfa };
        await Commit();
    }

    public async Task SetCrmField(string field, string value)
    {
        EnsureExists();
        if (string.IsNullOrWhiteSpace(field) || field.Length > 64) throw new ArgumentException("A CRM field name is 1 to 64 characters.");
        if (value is null || value.Length > 1024) throw new ArgumentException("A CRM field value is at most 1024 characters.");
        await EnsureKeys();
        Begin();
        S.System.CrmProfile[field] = Tokenize(value, false);
        await Commit();
    }

    public async Task<string> IssueSessionToken(string purpose, TimeSpan lifetime)
    {
        EnsureExists();
        Busy(); // its record reads the layers (packed while idle)
        Begin();
        var token = IssueToken(purpose, lifetime);
        await Commit();
        return token;
    }

    public async Task<string?> ResolvePii(string token, string purpose, string actor)
    {
        EnsureExists();
        if (string.IsNullOrWhiteSpace(purpose) || string.IsNullOrWhiteSpace(actor))
            throw new ArgumentException("Resolving a PII token needs a stated purpose and an actor.");
        await EnsureKeys();
        Begin();
        var found = S.TryOpenVault(token, out var sealedValue);
        AddAudit(new PiiAccessRecord(token, purpose, actor, services.Time.GetUtcNow(), found));
        await Commit(layers: false);
        services.Logger.LogWarning("PII token resolved for customer {CustomerId} by {Actor} for {Purpose} (found: {Found})", _customerId, actor, purpose, found);
        return found ? _vault!.Open(token, sealedValue!) : null;
    }

    public async Task<int> RewrapVault()
    {
        if (!S.Created) return 0;
        await EnsureKeys();
        if (S.Vault is not { Count: > 0 } vault) return 0;
        var moved = vault.Select(v => (v.Key, Value: _vault!.Rewrap(v.Key, v.Value))).Where((v, _) => !ReferenceEquals(v.Value, vault[v.Key])).ToList();
        if (moved.Count == 0) return 0;
        Begin();
        foreach (var (token, sealedValue) in moved) { vault[token] = sealedValue; _change!.Vault.Add(token, sealedValue); }
        await Commit(layers: false);
        return moved.Count;
    }

    public async Task<int> ResealAddresses()
    {
        if (!S.Created || S.Addresses.Count == 0) return 0;
        await EnsureKeys();
        // Addresses an old journal holds in clear were sealed in memory at activation; the snapshot below supersedes those records.
        var resealed = _clearAddressesOnDisk;
        for (var i = 0; i < S.Addresses.Count; i++)
        {
            var pseudonym = services.Pseudonyms.IdentityKey(_tenant, S.Addresses[i]);
            if (S.SealedAddresses[i].IsCurrent(_vault!, pseudonym)) continue;
            S.SealedAddresses[i] = SealedAddress.Seal(_vault!, pseudonym, S.Addresses[i]);
            resealed++;
        }
        if (resealed == 0) return 0;
        // A snapshot, not a record: it supersedes every earlier record (Redis deletes them; the embedded log drops them at compaction).
        Begin();
        _change = null;
        try
        {
            await HoldHistory();
            await _journal.SnapshotAsync();
            await Keys.LastWrite;
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
        _clearAddressesOnDisk = 0;
        return resealed;
    }

    /// <summary>The engine's vault access during a turn (recorded with the turn).</summary>
    private string? ResolveForEngine(string token, string purpose)
    {
        var found = S.TryOpenVault(token, out var sealedValue) && _vault is not null;
        AddAudit(new PiiAccessRecord(token, purpose, "dialog-engine", services.Time.GetUtcNow(), found));
        return found ? _vault!.Open(token, sealedValue!) : null;
    }

    public Task<IReadOnlyList<PiiAccessRecord>> GetPiiAudit()
    {
        EnsureExists();
        return Task.FromResult<IReadOnlyList<PiiAccessRecord>>([.. S.VaultAudit ?? []]);
    }

    public async Task Erase()
    {
        foreach (var address in S.Addresses)
            await services.Pseudonyms.UnbindAsync(GrainFactory, _tenant, address, _customerId);
        // The key goes first: from then on every sealed value in the journal is unreadable, wherever its bytes still are.
        await Keys.DeleteAsync();
        await _journal.DeleteAsync();
        _tokenizer = null;
        _vault = null;
        services.Logger.LogInformation("Customer {CustomerId} of {Tenant} erased", _customerId, _tenant);
        DeactivateOnIdle();
    }

    /// <summary>Starts collecting what this call changes.</summary>
    private CustomerChange Begin()
    {
        // A call that began and never wrote its record (it failed) may have left the history ahead of the journal: then
        // the next record carries the whole layer again, as every record did before.
        _historyBefore = _change is not null ? null : S.Intent.History.Count == 0 ? [] : S.Intent.History.ToArray();
        var change = _change = new CustomerChange();
        if (_handedOff is { Count: > 0 })
        {
            change.RepliesHandedOff.AddRange(_handedOff);
            _handedOff.Clear();
        }
        return change;
    }

    /// <summary>
    /// Appends what the call changed (the layers as they now are, plus the appends) and waits until it is durable.
    /// A failed write leaves memory ahead of the store, so the activation is dropped and the next call reloads.
    /// </summary>
    /// <param name="layers">The call may have changed the context layers (a turn, a verification, a CRM field, a token): write them as they are.</param>
    private async Task Commit(bool layers = true)
    {
        var change = _change!;
        _change = null;
        var historyBefore = _historyBefore;
        _historyBefore = null;
        if (layers)
        {
            change.Ephemeral = S.Ephemeral;
            if (historyBefore is not null && IntentHistoryChange.Between(historyBefore, S.Intent.History) is { } history)
            {
                change.Intent = IntentHistoryChange.WithoutHistory(S.Intent);
                change.IntentHistory = history;
            }
            else change.Intent = S.Intent;
            change.System = S.System;
            change.EngineData = S.EngineData;
        }
        try
        {
            // A snapshot carries the whole state: the history too, which only the journal holds between calls.
            if (_journal.SnapshotDue) await HoldHistory(change);
            // A new customer's salt was queued before this record: the store makes appends durable in order.
            // Collections the call left empty stay allocated while calls keep coming (the next turn would allocate
            // them again) and go back to null when the customer is idle (ReleaseIdle).
            var append = _journal.AppendAsync(change);
            var keys = _keys?.LastWrite ?? Task.CompletedTask; // no keys journal: nothing of it in flight
            await (keys.IsCompletedSuccessfully ? append : Task.WhenAll(keys, append));
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private void EnsureExists()
    {
        if (!S.Created) throw new UnknownCustomerException(_tenant, _customerId);
    }

    /// <summary>
    /// Drops the keys derived from the salt (tokenizer and vault, about 400 bytes) once the customer is idle: the next
    /// call derives them again (three HKDFs, microseconds). The salt itself stays.
    /// </summary>
    private void CloseKeys()
    {
        _tokenizer = null;
        _vault = null;
    }

    private async ValueTask EnsureKeys()
    {
        Busy();
        if (_tokenizer is not null) return;
        var salt = Keys.State.Salt;
        if (salt is null)
        {
            // Not awaited here: the turn's own record waits for it (Commit), so both share one flush.
            Keys.State.Salt = salt = RandomNumberGenerator.GetBytes(32);
            _ = Keys.SnapshotAsync();
            if (Keys.LastWrite.IsFaulted) await Keys.LastWrite;
        }
        _tokenizer = services.CustomerKeys.Tokenizer(_tenant, _customerId, salt, token => S.InVault(token));
        _vault = services.CustomerKeys.Vault(_tenant, _customerId, salt);
    }

    private string Tokenize(string text, bool expectSecretDigits)
    {
        var (tokenized, findings) = _tokenizer!.Tokenize(text, expectSecretDigits);
        foreach (var f in findings)
            if (!S.InVault(f.Token))
            {
                var sealedValue = _vault!.Seal(f.Token, f.Raw);
                S.SealedVault[f.Token] = sealedValue;
                _change?.Vault.Add(f.Token, sealedValue);
            }
        return tokenized;
    }

    /// <summary>How many addresses the loaded journal holds in clear (written before addresses were sealed), until a reseal supersedes them.</summary>
    private int _clearAddressesOnDisk;
    /// <summary>Call-IDs the call under way pushed out of the customer's last few: their identities are unbound once it is written.</summary>
    private List<ChannelAddress>? _trimmedCallIds;

    /// <summary>Records a new address sealed under the customer's vault key (the vault must be open: <see cref="EnsureKeys"/>).</summary>
    private void AddAddress(ChannelAddress address)
    {
        if (S.Addresses.Contains(address)) return;
        var sealedAddress = SealedAddress.Seal(_vault!, IdentityKeyOf(address), address);
        if (S.AddAddress(address, sealedAddress, address.Kind == AddressKind.SipCallId ? _trimmedCallIds ??= [] : null)) (_change!.AddressesSealed ??= []).Add(sealedAddress);
    }

    /// <summary>
    /// Fills the clear addresses in memory from the stored ones; addresses an old journal holds in clear are sealed in
    /// memory, so every record and snapshot written from now on holds them sealed.
    /// </summary>
    private async Task OpenAddresses()
    {
        if (S.SealedAddresses.Count == 0 && S.LegacyAddresses.Count == 0) return;
        if (Keys.State.Salt is null && S.LegacyAddresses.Count == 0)
        {
            // Sealed under a salt that is gone: nothing can open them.
            services.Logger.LogWarning("Customer {CustomerId} has {Count} sealed addresses and no vault key", _customerId, S.SealedAddresses.Count);
            S.SealedAddresses.Clear();
            return;
        }
        var hadSalt = Keys.State.Salt is not null;
        await EnsureKeys();
        if (!hadSalt) await Keys.LastWrite;
        var vault = _vault!;
        var (clear, unopened) = S.OpenAddresses(
            a => { try { return a.Open(vault); } catch (CryptographicException) { return null; } },
            a => SealedAddress.Seal(vault, services.Pseudonyms.IdentityKey(_tenant, a), a));
        _clearAddressesOnDisk = clear;
        if (unopened > 0)
            services.Logger.LogWarning("{Count} addresses of customer {CustomerId} are sealed under a master key no longer configured; left out", unopened, _customerId);
    }

    /// <summary>
    /// Unbinds, under every configured address key, the Call-IDs no longer kept: the customer no longer lists them, so
    /// neither the rewrap pass nor erasure could reach their bindings later.
    /// </summary>
    private async Task UnbindTrimmedCallIds()
    {
        var trimmed = _trimmedCallIds!.ToArray();
        _trimmedCallIds = null;
        try
        {
            foreach (var callId in trimmed) await services.Pseudonyms.UnbindAsync(GrainFactory, _tenant, callId, _customerId);
        }
        catch (Exception e)
        {
            services.Logger.LogWarning("Old Call-IDs of customer {CustomerId} not unbound: {Error}", _customerId, e.GetType().Name);
        }
    }

    private void OwnIdentity(string identityKey)
    {
        if (S.OwnIdentity(identityKey)) (_change!.IdentitiesOwned ??= []).Add(identityKey);
    }

    private void AppendTranscript(TranscriptTurn turn)
    {
        S.AppendTranscript(turn);
        _change!.Transcript.Add(turn);
    }

    private void AddAudit(PiiAccessRecord record)
    {
        S.AddAudit(record);
        _change?.Audit.Add(record);
    }

    private async Task<EngineReply> RunEngine(Channel channel, string text, TurnPayload? payload, DateTimeOffset now, Channel? previous)
    {
        var context = new DialogTurn
        {
            Tenant = _tenant,
            CustomerId = _customerId,
            Channel = channel,
            Text = text,
            Payload = payload,
            Now = now,
            Ephemeral = S.Ephemeral,
            Intent = S.Intent,
            System = S.System,
            EngineData = S.EngineData,
            PreviousChannel = previous,
            IssueSessionToken = IssueToken,
            // Claimed directly: going through the ingress grain would call back into this (busy, non-reentrant) grain and deadlock.
            IssueCallCode = IssueCallCode,
            ResolveSecret = ResolveForEngine,
        };
        try
        {
            return await services.Engines.For(_tenant).RespondAsync(context);
        }
        catch (Exception e)
        {
            // The turn is still recorded; the customer gets an apology instead of silence.
            services.Logger.LogError("Dialog engine failed for customer {CustomerId}: {Error}", _customerId, e.GetType().Name);
            return new EngineReply("Sorry, something went wrong on our side. Please try again in a moment.");
        }
    }

    private Task<string> IssueCallCode(TimeSpan lifetime) =>
        Identity.CallCodes.ClaimAsync(GrainFactory, _tenant, _customerId, services.Time.GetUtcNow().Add(lifetime));

    private string IssueToken(string purpose, TimeSpan lifetime)
    {
        var token = services.SessionTokens.Issue(_tenant, _customerId, purpose, lifetime, out var claims);
        S.System.SessionTokens.Add(new SessionTokenRecord(claims.TokenId, services.Time.GetUtcNow(), claims.ExpiresAt, purpose));
        S.System.SessionTokens.RemoveAll(t => t.ExpiresAt < services.Time.GetUtcNow());
        if (S.System.SessionTokens.Count > 20) S.System.SessionTokens.RemoveRange(0, S.System.SessionTokens.Count - 20);
        return token;
    }

    private static string DescribePayload(TurnPayload? payload) => payload switch
    {
        null => "",
        { Kind: PayloadKind.Choice } => $"[choice {payload.Id}] {payload.Title}".TrimEnd(),
        { Kind: PayloadKind.Dtmf } => $"[dtmf {payload.Id}]",
        { Kind: PayloadKind.Location } => $"[location {payload.Title}]".Replace(" ]", "]", StringComparison.Ordinal),
        { Kind: PayloadKind.Media } => $"[media {payload.Title ?? payload.Id}]",
        { Kind: PayloadKind.Reaction } => $"[reaction {payload.Title}]",
        _ => "",
    };
}
