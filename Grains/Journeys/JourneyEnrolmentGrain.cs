using Orleans.Runtime;
using Orleans.Serialization;
using Switchboard.Grains.Journaling;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Analytics;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Grains.Journeys;

/// <summary>
/// One customer in one journey. Each wake-up pulls fresh facts from the customer grain, runs the pure step engine, and
/// for a send: stores the decision first, reserves the touch in the contact ledger, enqueues into the outbox with the
/// enrolment+step idempotency key, then stores the acknowledgement. A crash anywhere in between re-issues the same
/// decision with the same key, so nothing is sent twice and nothing skipped. Short waits use a grain timer, long ones a
/// reminder (Redis reminders survive a restart).
/// </summary>
public sealed class JourneyEnrolmentGrain(
    IJournalStore journalStore, Serializer serializer,
    JourneyDirectory directory, JourneyRunCache runs, JourneyStepCounter counter, OutboxPolicy outbox, JourneyOptions options, TimeProvider time, IServiceProvider services, ILogger<JourneyEnrolmentGrain> logger)
    : Grain, IJourneyEnrolmentGrain, IRemindable
{
    private const string ReminderName = "journey-wake";
    private static readonly TimeSpan TimerHorizon = TimeSpan.FromMinutes(2);
    internal static readonly JsonSerializerOptions Json = new() { Converters = { new Switchboard.Journeys.Model.JourneyChannelJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) }, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly IInteractionEvents _events = services.GetService<IInteractionEvents>() ?? NoInteractionEvents.Instance;
    private string _tenant = "", _journey = "", _customerId = "";
    private EnrolmentState? _enrolment;
    private IGrainTimer? _timer;
    // whether a wake-up reminder may be registered (an enrolment stored before this activation may have one)
    private bool _reminder;
    /// <summary>Something besides the engine's JSON changed (an outbox shard, the waiters' registration): the next save writes.</summary>
    private bool _dirty;

    private IJourneyWaitersGrain Waiters => GrainFactory.GetGrain<IJourneyWaitersGrain>(JourneyKeys.Ledger(_tenant, _customerId));
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    // The state is a journal stream written as whole snapshots (one small record per change): the embedded store's
    // write-ahead log commits concurrent enrolments' writes together, where a file per grain cost an fsync each.
    private GrainJournal<EnrolmentGrainState, EnrolmentGrainState> _store = null!;

    private EnrolmentGrainState S => _store.State;

    public static string StreamOf(string key) => "journey-enrolment/" + key;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _journey, _customerId) = JourneyKeys.ParseEnrolment(this.GetPrimaryKeyString());
        _store = new GrainJournal<EnrolmentGrainState, EnrolmentGrainState>(journalStore, serializer, StreamOf(this.GetPrimaryKeyString()), static (_, _) => { }, snapshotEvery: 1);
        await _store.LoadAsync();
        if (S.JsonUtf8 is { } utf8) _enrolment = JsonSerializer.Deserialize<EnrolmentState>(utf8, Json);
        else if (S.Json is { } json) _enrolment = JsonSerializer.Deserialize<EnrolmentState>(json, Json);
        _reminder = _enrolment is not null;
    }

    public async Task<EnrolOutcome> Enrol(EnrolmentRequest request)
    {
        if (_enrolment is { } existing && existing.Run == request.Run) return EnrolOutcome.AlreadyEnrolled;
        var run = await runs.GetAsync(GrainFactory, _tenant, _journey);
        if (run is null || run.Status == JourneyRunStatus.Stopped || run.Run != request.Run) return EnrolOutcome.JourneyNotRunning;
        _enrolment = new EnrolmentState
        {
            Journey = _journey, CustomerId = _customerId, Run = request.Run, EnrolledAt = time.GetUtcNow(),
            Attributes = new Dictionary<string, string>(request.Attributes),
        };
        S.TimeZones = [.. request.TimeZones];
        S.Region = request.Region;
        await Drive(); // stores the enrolment with its first step's outcome in one write (or before the first send)
        await Save();
        return EnrolOutcome.Enrolled;
    }

    public async Task Wake()
    {
        await Drive();
        // Only the waiters grain wakes an enrolment: one that no longer listens (a registration left by a crash between
        // its write and its Forget) takes itself off the list.
        if (!S.Listening) Waiters.Forget(this.GetPrimaryKeyString()).Ignore();
    }

    public async Task<string?> TimelineJson()
    {
        if (_enrolment is null) return null;
        var steps = JsonSerializer.SerializeToNode(_enrolment.Timeline, Json)!.AsArray();
        // Each send's live delivery status, from its outbox shard (fed by the provider's status webhooks): status and
        // times only, never the body or the address.
        var keys = _enrolment.Timeline.Select(t => t.Key).OfType<string>().Distinct(StringComparer.Ordinal).Where(S.Outbox.ContainsKey).ToList();
        var found = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IOutboxGrain>(S.Outbox[k]).FindStatus(k)));
        var delivery = keys.Zip(found).Where(p => p.Second is not null).ToDictionary(p => p.First, p => p.Second!, StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
            if (_enrolment.Timeline[i] is { Key: { } key, Outcome: "enqueued" } && delivery.TryGetValue(key, out var d))
                steps[i]!["delivery"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["status"] = d.Status.ToWire(),
                    ["attempts"] = d.Attempts,
                    ["history"] = new System.Text.Json.Nodes.JsonArray([.. d.History.Select(h => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["status"] = h.Status.ToWire(), ["at"] = h.At })]),
                };
        return JsonSerializer.Serialize(new
        {
            tenant = _tenant, journey = _journey, customerId = _customerId, run = _enrolment.Run, status = _enrolment.Status,
            enrolledAt = _enrolment.EnrolledAt, wakeAt = _enrolment.WakeAt, timeZones = S.TimeZones, region = S.Region,
            steps,
        }, Json);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminder = true;
        await Drive();
        if (_enrolment is null || _enrolment.Status != EnrolmentStatus.Active) await DropReminder();
    }

    private async Task Drive()
    {
        if (_enrolment is not { Status: EnrolmentStatus.Active } enrolment) return;
        var run = await runs.GetAsync(GrainFactory, _tenant, _journey);
        if (run is null) return;
        if (run.Status == JourneyRunStatus.Stopped || run.Run != enrolment.Run)
        {
            StepEngine.Stop(enrolment, time.GetUtcNow());
            await Save(null);
            await DropReminder();
            return;
        }
        if (run.Status == JourneyRunStatus.Paused) { await Schedule(time.GetUtcNow().AddMinutes(5)); return; }
        var journey = directory.Parse(run.Yaml, $"{_journey}.yaml");
        var rules = directory.RulesOf(_tenant);
        var customer = GrainFactory.GetGrain<ICustomerGrain>(GrainKeys.Customer(_tenant, _customerId));
        var ledger = GrainFactory.GetGrain<IContactLedgerGrain>(JourneyKeys.Ledger(_tenant, _customerId));
        var zones = Zones(rules);
        // Facts are pulled once per wake-up (two calls, customer and ledger); a touch this wake-up made is added to them, so the caps count it.
        var facts = await GrainCustomerFacts.PullAsync(customer, ledger, journey.Purpose, zones);
        for (var guard = 0; guard < 32; guard++)
        {
            var now = time.GetUtcNow();
            var before = enrolment.Timeline.Count;
            var advance = StepEngine.Advance(journey, rules, enrolment, facts, now);
            Publish(enrolment, before);
            if (advance.Effect is { } effect)
            {
                await Save(journey); // the decision is durable before anything leaves
                var touch = new ContactTouch(now, effect.Channel.ToWire(), journey.Purpose, _journey, effect.IdempotencyKey);
                var room = await ledger.Reserve(touch);
                if (room is { } until)
                {
                    StepEngine.Retract(enrolment, until, now, "another journey took the cap");
                    await Save(journey);
                    await Schedule(until);
                    return;
                }
                facts.Add(touch);
                var accepted = await Send(facts.Phone, effect, journey.Purpose, facts.LastInboundAt, now);
                before = enrolment.Timeline.Count;
                StepEngine.Acknowledge(enrolment, accepted.Accepted, now, accepted.Reason);
                Publish(enrolment, before);
                // The acknowledgement is stored with what follows (the next decision or the wait): one write fewer per send.
                // A crash before that re-issues the same decision with the same key, and the outbox drops the copy.
                continue;
            }
            await Save(journey);
            if (advance.Finished)
            {
                if (enrolment.Status == EnrolmentStatus.GoalReached)
                    _events.Publish(new InteractionEvent($"{effectKey(enrolment)}:goal", InteractionKind.JourneyGoal, _tenant, _customerId, Interfaces.Conversation.Channel.WhatsApp, now,
                        Journey: _journey, DurationMs: (now - enrolment.EnrolledAt).TotalMilliseconds));
                await DropReminder();
                return;
            }
            if (advance.WakeAt is { } wake)
            {
                // While a wait listens for the customer (a reply, an intent), the customer grain wakes it when they act
                // (IJourneyWaitersGrain, durable on both sides): the reminder is due at the wait's deadline, where the
                // facts decide replied or not, or at the rare backup poll (a push lost in a crash) if that is sooner.
                var poll = options.EventPollInterval > TimeSpan.Zero ? now + options.EventPollInterval : DateTimeOffset.MaxValue;
                await Schedule(S.Listening && poll < wake ? poll : wake);
            }
            return;
        }
        logger.LogWarning("Enrolment {Journey}/{CustomerId} made no progress in one wake-up", _journey, _customerId);
        static string effectKey(EnrolmentState e) => $"journey:{e.Journey}:{e.Run}:{e.CustomerId}";
    }

    private async Task<EnqueueResult> Send(string? phone, StepEffect effect, string purpose, DateTimeOffset? customerWroteAt, DateTimeOffset now)
    {
        if (phone is null) return EnqueueResult.Refused("no-address", "the customer has no phone number");
        var channel = GrainCustomerFacts.ChannelOf(effect.Channel);
        var recipient = JourneyWire.Recipient(effect.Channel, phone);
        var message = new OutboundMessage(_tenant, _customerId, channel, recipient,
            effect.Kind == SendKind.Template ? OutboundKind.Template : OutboundKind.FreeForm,
            JourneyWire.Body(effect, purpose), JourneyWire.Summary(effect), effect.IdempotencyKey,
            CustomerMessageAt: effect.Channel == Switchboard.Journeys.Model.JourneyChannel.WhatsApp ? customerWroteAt : null);
        var shard = OutboxKeys.Shard(channel, recipient, outbox.Shards);
        var result = await GrainFactory.GetGrain<IOutboxGrain>(shard).Enqueue(message);
        // Stored with the enrolment's next write; a crash before it re-issues the send, whose duplicate answer brings it back.
        if (result.Accepted && S.Outbox.TryAdd(effect.IdempotencyKey, shard)) _dirty = true;
        if (result.Accepted)
            _events.Publish(new InteractionEvent(effect.IdempotencyKey + ":sent", InteractionKind.MessageSent, _tenant, _customerId, channel, now,
                Step: effect.StepId, Outcome: purpose, Journey: _journey));
        return result;
    }

    private void Publish(EnrolmentState enrolment, int from)
    {
        var journey = JourneyKeys.Journey(_tenant, _journey);
        for (var i = from; i < enrolment.Timeline.Count; i++)
        {
            var entry = enrolment.Timeline[i];
            var channel = entry.Channel is { } c ? GrainCustomerFacts.ChannelOf(c) : Interfaces.Conversation.Channel.WhatsApp;
            _events.Publish(new InteractionEvent($"journey:{_journey}:{enrolment.Run}:{_customerId}:{i}", InteractionKind.JourneyStep, _tenant, _customerId, channel, entry.At,
                Step: entry.StepId, Outcome: entry.Outcome, Journey: _journey));
            counter.Add(journey, entry.StepId, entry.Outcome.StartsWith("refused", StringComparison.Ordinal) ? "refused" : entry.Outcome);
        }
    }

    private CustomerZones Zones(TenantJourneyRules rules)
    {
        var zones = new List<TimeZoneInfo>();
        foreach (var id in S.TimeZones)
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var z)) zones.Add(z);
        return zones.Count > 0 ? new CustomerZones(zones, "enrolment") : CustomerZones.Of(rules.DefaultTimeZone);
    }

    private async Task Schedule(DateTimeOffset at)
    {
        var delay = at - time.GetUtcNow();
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        _timer?.Dispose();
        _timer = null;
        var backup = TimeSpan.Zero;
        if (delay <= TimerHorizon)
        {
            // A short wait wakes on a grain timer, to the millisecond; its reminder is only the backup for a lost activation.
            _timer = this.RegisterGrainTimer(_ => Drive(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            backup = ReminderPeriod;
        }
        // A reminder for every wait: it survives a deactivation or a restart (journal or Redis reminders), and Drive is
        // idempotent. Its period (the minimum, one minute) bounds how late a wake-up missed during a restart comes.
        var due = delay + backup;
        await this.RegisterOrUpdateReminder(ReminderName, due < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : due, ReminderPeriod);
        _reminder = true;
    }

    /// <summary>An enrolment that ended needs no wake-up: its reminder goes now rather than firing once more for nothing.</summary>
    private async Task DropReminder()
    {
        _timer?.Dispose();
        _timer = null;
        if (S.Listening)
        {
            Waiters.Forget(this.GetPrimaryKeyString()).Ignore();
            S.Listening = false;
            _dirty = true;
        }
        if (!_reminder) return;
        if (await this.GetReminder(ReminderName) is { } r) await this.UnregisterReminder(r);
        _reminder = false;
    }

    /// <summary>
    /// Saves, registering with the customer's waiters first when the enrolment now listens for the customer (so a stored
    /// listening wait always has its registration), and forgetting it after the save when it no longer does (a crash in
    /// between leaves a registration, which the next wake-up takes off: <see cref="Wake"/>).
    /// </summary>
    private async Task Save(JourneyDefinition? journey)
    {
        var listening = journey is not null && _enrolment is { Status: EnrolmentStatus.Active } e
            && e.Cursor < journey.Steps.Count && journey.Steps[e.Cursor] is WaitStep { Until: not null };
        if (listening == S.Listening)
        {
            await Save();
            return;
        }
        if (listening) await Waiters.Listen(this.GetPrimaryKeyString());
        S.Listening = listening;
        _dirty = true;
        await Save();
        if (!listening) Waiters.Forget(this.GetPrimaryKeyString()).Ignore();
    }

    private async Task Save()
    {
        var json = _enrolment is null ? null : JsonSerializer.SerializeToUtf8Bytes(_enrolment, Json);
        // A wake-up that changed nothing (a poll while waiting for a reply) writes nothing.
        if (S.Json is null && (json is null ? S.JsonUtf8 is null : S.JsonUtf8 is { } saved && json.AsSpan().SequenceEqual(saved))
            && !_dirty && _store.Version > 0) return;
        S.JsonUtf8 = json;
        S.Json = null;
        _dirty = false;
        try
        {
            await _store.SnapshotAsync();
        }
        catch
        {
            // Memory is ahead of the store: reload from the store on the next call.
            DeactivateOnIdle();
            throw;
        }
    }
}
