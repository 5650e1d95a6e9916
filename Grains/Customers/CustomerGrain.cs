using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Consent;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Pii;
using Switchboard.Grains.Pii;
using Switchboard.Grains.Tenancy;

namespace Switchboard.Grains.Customers;

public sealed class CustomerGrain(
    [PersistentState("customer", StorageNames.Main)] IPersistentState<CustomerState> state,
    [PersistentState("keys", StorageNames.Main)] IPersistentState<CustomerKeyState> keys,
    CustomerKeys customerKeys,
    TenantDirectory tenants,
    IConversationEngineProvider engines,
    Identity.SessionTokens sessionTokens,
    Identity.AddressPseudonyms pseudonyms,
    TimeProvider time,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain
{
    public const int MaxTextLength = 16 * 1024;
    public const int TranscriptLimit = 200;
    /// <summary>Message ids remembered for deduplication (channels redeliver for days: WhatsApp up to 7).</summary>
    public const int ProcessedLimit = 1000;
    /// <summary>Of those, how many keep the reply they got (a redelivery is answered with it).</summary>
    public const int RepliesKept = 16;
    public const int LastInputsLimit = 5;
    public const int AuditLimit = 200;
    public const int CallIdsKept = 5;
    public const string ExpectSecretDigitsKey = "expect-secret-digits";

    private string _tenant = "";
    private string _customerId = "";
    private PiiTokenizer? _tokenizer;
    private PiiVault? _vault;

    private CustomerState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _customerId) = GrainKeys.ParseCustomer(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<TurnResult> HandleTurn(InboundTurn turn)
    {
        Validate(turn);
        if (turn.Tenant != _tenant) throw new ArgumentException("The turn names another tenant than this customer's.");

        var seen = S.Processed.FindLast(p => p.MessageId == turn.MessageId);
        if (seen is not null || S.ProcessedIdHashes.Contains(IdHash(turn.MessageId)))
        {
            logger.LogInformation("Duplicate message {MessageId} for customer {CustomerId} ignored", turn.MessageId, _customerId);
            // An old duplicate's reply is no longer kept; it was delivered (or queued) the first time.
            return new TurnResult(_customerId, true, seen?.Reply ?? new EngineReply(""), seen?.TokenizedText ?? "");
        }

        await EnsureKeys();
        var now = turn.Time == default ? time.GetUtcNow() : turn.Time;
        if (!S.Created) Create(now);
        AddAddress(turn.From);

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
        if (previous is { } p && p != turn.Channel) S.Intent.ChannelSwitches++;
        S.Ephemeral.LastChannel = turn.Channel;
        S.InboundChannels.Add(turn.Channel);
        S.Intent.TurnsByChannel[turn.Channel] = S.Intent.TurnsByChannel.GetValueOrDefault(turn.Channel) + 1;
        S.Ephemeral.LastInputs.Add(transcriptText);
        if (S.Ephemeral.LastInputs.Count > LastInputsLimit) S.Ephemeral.LastInputs.RemoveAt(0);
        S.Ephemeral.UpdatedAt = now;
        AppendTranscript(new TranscriptTurn(turn.Channel, Direction.Inbound, now, transcriptText, turn.MessageId));

        var reply = await RunEngine(turn.Channel, text, payload, now, previous);
        reply = reply with { Text = Tokenize(reply.Text, false) };
        AppendTranscript(new TranscriptTurn(turn.Channel, Direction.Outbound, time.GetUtcNow(), reply.Text));

        S.Processed.Add(new ProcessedMessage(turn.MessageId, reply, transcriptText));
        if (S.Processed.Count > RepliesKept)
        {
            S.ProcessedIdHashes.Add(IdHash(S.Processed[0].MessageId));
            S.Processed.RemoveAt(0);
            if (S.ProcessedIdHashes.Count > ProcessedLimit - RepliesKept) S.ProcessedIdHashes.RemoveAt(0);
        }

        await state.WriteStateAsync();
        logger.LogInformation("Turn {MessageId} on {Channel} handled for customer {CustomerId} ({Length} chars in)",
            turn.MessageId, turn.Channel.ToWire(), _customerId, transcriptText.Length);
        return new TurnResult(_customerId, false, reply, transcriptText);
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
    }

    public async Task RecordOutbound(Channel channel, string text, string? messageId)
    {
        EnsureExists();
        await EnsureKeys();
        AppendTranscript(new TranscriptTurn(channel, Direction.Outbound, time.GetUtcNow(), Tokenize(text, false), messageId));
        await state.WriteStateAsync();
    }

    public Task<bool> Exists() => Task.FromResult(S.Created);

    public Task<CustomerView> GetView()
    {
        EnsureExists();
        var registry = new ConsentRegistry(S.Consent);
        var consent = new List<ConsentEntry>();
        foreach (var channel in Enum.GetValues<Channel>())
            foreach (var purpose in Enum.GetValues<ConsentPurpose>())
                consent.Add(new ConsentEntry(channel, purpose, registry.StatusOf(channel, purpose), [.. registry.History(channel, purpose)]));
        return Task.FromResult(new CustomerView(_tenant, _customerId, S.Ephemeral, S.Intent, S.System, consent,
            [.. S.Addresses], [.. S.Vault.Keys], S.Transcript.Count + S.Summary.FoldedTurns));
    }

    public Task<TranscriptPage> GetTranscript()
    {
        EnsureExists();
        return Task.FromResult(new TranscriptPage(S.Summary, [.. S.Transcript]));
    }

    public async Task LinkAddress(ChannelAddress address)
    {
        EnsureExists();
        if (AddAddress(address)) await state.WriteStateAsync();
    }

    public Task<ConsentDecision> CanContact(Channel channel, ConsentPurpose purpose)
    {
        if (!S.Created) return Task.FromResult(new ConsentDecision(false, ConsentStatus.Unknown, "unknown customer"));
        var policy = tenants.Find(_tenant)?.Consent ?? new ConsentPolicy();
        return Task.FromResult(new ConsentRegistry(S.Consent).CanContact(channel, purpose, policy, S.InboundChannels.Contains(channel)));
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
        var evidence = Tokenize(change.Evidence, false);
        new ConsentRegistry(S.Consent).Record(change with { Evidence = evidence, At = change.At == default ? time.GetUtcNow() : change.At });
        await state.WriteStateAsync();
        logger.LogInformation("Consent {Purpose} on {Channel} set to {Status} for customer {CustomerId}",
            change.Purpose.ToWire(), change.Channel.ToWire(), change.Status.ToWire(), _customerId);
    }

    public async Task MarkVerified(Channel channel, string method, bool mfa)
    {
        EnsureExists();
        S.System.Verification = new VerificationStatus { Verified = true, Method = method, Channel = channel, VerifiedAt = time.GetUtcNow(), MfaPassed = mfa };
        await state.WriteStateAsync();
    }

    public async Task SetCrmField(string field, string value)
    {
        EnsureExists();
        if (string.IsNullOrWhiteSpace(field) || field.Length > 64) throw new ArgumentException("A CRM field name is 1 to 64 characters.");
        if (value is null || value.Length > 1024) throw new ArgumentException("A CRM field value is at most 1024 characters.");
        await EnsureKeys();
        S.System.CrmProfile[field] = Tokenize(value, false);
        await state.WriteStateAsync();
    }

    public async Task<string> IssueSessionToken(string purpose, TimeSpan lifetime)
    {
        EnsureExists();
        var token = IssueToken(purpose, lifetime);
        await state.WriteStateAsync();
        return token;
    }

    public async Task<string?> ResolvePii(string token, string purpose, string actor)
    {
        EnsureExists();
        if (string.IsNullOrWhiteSpace(purpose) || string.IsNullOrWhiteSpace(actor))
            throw new ArgumentException("Resolving a PII token needs a stated purpose and an actor.");
        await EnsureKeys();
        var found = S.Vault.TryGetValue(token, out var sealedValue);
        S.VaultAudit.Add(new PiiAccessRecord(token, purpose, actor, time.GetUtcNow(), found));
        if (S.VaultAudit.Count > AuditLimit) S.VaultAudit.RemoveRange(0, S.VaultAudit.Count - AuditLimit);
        await state.WriteStateAsync();
        logger.LogWarning("PII token resolved for customer {CustomerId} by {Actor} for {Purpose} (found: {Found})", _customerId, actor, purpose, found);
        return found ? _vault!.Open(token, sealedValue!) : null;
    }

    /// <summary>The engine's vault access during a turn (the state is written with the turn).</summary>
    private string? ResolveForEngine(string token, string purpose)
    {
        var found = S.Vault.TryGetValue(token, out var sealedValue) && _vault is not null;
        S.VaultAudit.Add(new PiiAccessRecord(token, purpose, "dialog-engine", time.GetUtcNow(), found));
        if (S.VaultAudit.Count > AuditLimit) S.VaultAudit.RemoveRange(0, S.VaultAudit.Count - AuditLimit);
        return found ? _vault!.Open(token, sealedValue!) : null;
    }

    public Task<IReadOnlyList<PiiAccessRecord>> GetPiiAudit()
    {
        EnsureExists();
        return Task.FromResult<IReadOnlyList<PiiAccessRecord>>([.. S.VaultAudit]);
    }

    public async Task Erase()
    {
        foreach (var address in S.Addresses)
            await GrainFactory.GetGrain<IIdentityGrain>(pseudonyms.IdentityKey(_tenant, address)).Unbind(_customerId);
        await keys.ClearStateAsync();
        await state.ClearStateAsync();
        _tokenizer = null;
        _vault = null;
        logger.LogInformation("Customer {CustomerId} of {Tenant} erased", _customerId, _tenant);
        DeactivateOnIdle();
    }

    private void Create(DateTimeOffset now)
    {
        S.Created = true;
        S.System.CreatedAt = now;
        S.Summary.FirstTurnAt ??= now;
    }

    private void EnsureExists()
    {
        if (!S.Created) throw new UnknownCustomerException(_tenant, _customerId);
    }

    private async Task EnsureKeys()
    {
        if (_tokenizer is not null) return;
        if (keys.State.Salt is null)
        {
            keys.State.Salt = RandomNumberGenerator.GetBytes(32);
            await keys.WriteStateAsync();
        }
        _tokenizer = new PiiTokenizer(customerKeys.TokenKey(_tenant, _customerId, keys.State.Salt));
        _vault = new PiiVault(customerKeys.VaultKey(_tenant, _customerId, keys.State.Salt));
    }

    private string Tokenize(string text, bool expectSecretDigits)
    {
        var (tokenized, findings) = _tokenizer!.Tokenize(text, expectSecretDigits);
        foreach (var f in findings)
            if (!S.Vault.ContainsKey(f.Token))
                S.Vault[f.Token] = _vault!.Seal(f.Token, f.Raw);
        return tokenized;
    }

    private async Task<EngineReply> RunEngine(Channel channel, string text, TurnPayload? payload, DateTimeOffset now, Channel? previous)
    {
        var context = new TurnContext
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
            return await engines.For(_tenant).RespondAsync(context);
        }
        catch (Exception e)
        {
            // The turn is still recorded; the customer gets an apology instead of silence.
            logger.LogError("Dialog engine failed for customer {CustomerId}: {Error}", _customerId, e.GetType().Name);
            return new EngineReply("Sorry, something went wrong on our side. Please try again in a moment.");
        }
    }

    private Task<string> IssueCallCode(TimeSpan lifetime) =>
        Identity.CallCodes.ClaimAsync(GrainFactory, _tenant, _customerId, time.GetUtcNow().Add(lifetime));

    private string IssueToken(string purpose, TimeSpan lifetime)
    {
        var token = sessionTokens.Issue(_tenant, _customerId, purpose, lifetime, out var claims);
        S.System.SessionTokens.Add(new SessionTokenRecord(claims.TokenId, time.GetUtcNow(), claims.ExpiresAt, purpose));
        S.System.SessionTokens.RemoveAll(t => t.ExpiresAt < time.GetUtcNow());
        if (S.System.SessionTokens.Count > 20) S.System.SessionTokens.RemoveRange(0, S.System.SessionTokens.Count - 20);
        return token;
    }

    private bool AddAddress(ChannelAddress address)
    {
        if (S.Addresses.Contains(address)) return false;
        S.Addresses.Add(address);
        if (address.Kind == AddressKind.SipCallId)
        {
            var callIds = S.Addresses.Where(a => a.Kind == AddressKind.SipCallId).ToList();
            foreach (var old in callIds.Take(Math.Max(0, callIds.Count - CallIdsKept))) S.Addresses.Remove(old);
        }
        return true;
    }

    private void AppendTranscript(TranscriptTurn turn)
    {
        S.Transcript.Add(turn);
        if (S.Transcript.Count <= TranscriptLimit) return;
        var fold = S.Transcript.Count - TranscriptLimit;
        foreach (var old in S.Transcript.Take(fold))
        {
            S.Summary.FoldedTurns++;
            S.Summary.TurnsByChannel[old.Channel] = S.Summary.TurnsByChannel.GetValueOrDefault(old.Channel) + 1;
            S.Summary.LastFoldedAt = old.Time;
        }
        S.Transcript.RemoveRange(0, fold);
    }

    private static ulong IdHash(string messageId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId), hash);
        return BitConverter.ToUInt64(hash);
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
