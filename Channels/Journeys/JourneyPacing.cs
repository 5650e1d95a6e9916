using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Journeys.Rules;

namespace Switchboard.Channels.Journeys;

/// <summary>
/// Paces journey traffic in the outbox dispatcher (<see cref="IOutboxAdmission"/>): replies, confirmations and admin
/// sends are never held. A journey's message waits for its share of the channel's messages per minute (the tenant's
/// <see cref="JourneyCapacityPlan"/>: the journeys' part of the capacity split by weight, the rest kept for replies), as a
/// <see cref="MessageBudget"/> per (tenant, channel, journey). A journey's call waits for the tenant's trunk
/// (<see cref="CallPacer"/>: calls started per second and calls up at once); a placed call counts as up until it leaves
/// the UAC's list of calls. A held message goes back to its shard, due again when there is room. The budgets live in this
/// gateway: two gateways each send their own share.
/// </summary>
public sealed class JourneyPacing(IGrainFactory grains, JourneyPacingOptions options, TimeProvider time, IServiceProvider services, ILogger<JourneyPacing> logger)
    : IOutboxAdmission
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (JourneyCapacityPlan Plan, long At)> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, Channel Channel, string Journey), MessageBudget> _budgets = [];
    private readonly Dictionary<string, CallPacer> _trunks = new(StringComparer.Ordinal);
    /// <summary>Calls being placed (entry id → tenant), and calls placed and still up (tenant → call ids).</summary>
    private readonly Dictionary<string, string> _placing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _up = new(StringComparer.Ordinal);
    private readonly List<PacedStart> _starts = [];
    private IVoiceCalls? _calls;
    private bool _callsResolved;

    /// <summary>When each journey call was let through and when the last one ended (kept for the most recent 10,000 calls).</summary>
    public IReadOnlyList<PacedStart> CallStarts { get { lock (_lock) return [.. _starts]; } }

    /// <summary>The largest number of journey calls up at once so far, as this pacer counted them.</summary>
    public int MaxConcurrentCalls { get; private set; }

    public async ValueTask<DateTimeOffset?> AdmitAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!options.Enabled || !JourneyKeys.TryParseSendKey(entry.Message.IdempotencyKey, out var journey)) return null;
        var tenant = entry.Message.Tenant;
        var plan = await PlanAsync(tenant);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (entry.Message.Channel == Channel.Voice)
            {
                if (!_trunks.TryGetValue(tenant, out var trunk)) _trunks[tenant] = trunk = new CallPacer(plan.CallsPerSecond, plan.ConcurrentCalls);
                else if (trunk.CallsPerSecond != plan.CallsPerSecond || trunk.Concurrent != plan.ConcurrentCalls) trunk.Reconfigure(plan.CallsPerSecond, plan.ConcurrentCalls);
                ReapEndedCalls(tenant, trunk);
                if (!trunk.TryStart(now, out var retry)) return retry;
                _placing[entry.Id] = tenant;
                MaxConcurrentCalls = Math.Max(MaxConcurrentCalls, trunk.Active);
                if (_starts.Count >= 10_000) _starts.RemoveAt(0);
                _starts.Add(new PacedStart(tenant, journey, now));
                return null;
            }
            var perMinute = plan.PerJourney.TryGetValue(journey, out var share) ? share
                // Decided while the journey ran (it has since been paused or stopped): the smallest running share.
                : Math.Max(1, plan.PerJourney.Count == 0 ? (int)(plan.MessagesPerMinute * plan.JourneyShare) : plan.PerJourney.Values.Min());
            var key = (tenant, entry.Message.Channel, journey);
            if (!_budgets.TryGetValue(key, out var budget)) _budgets[key] = budget = new MessageBudget(perMinute, now);
            else if (budget.PerMinute != perMinute) budget.SetRate(perMinute, now);
            return budget.TryTake(now, out var at) ? null : at;
        }
    }

    public void Done(OutboxEntry entry, SendOutcome outcome)
    {
        if (entry.Message.Channel != Channel.Voice) return;
        lock (_lock)
        {
            if (!_placing.Remove(entry.Id, out var tenant) || !_trunks.TryGetValue(tenant, out var trunk)) return;
            // An answered call stays up after the attempt returns: it counts until the UAC no longer lists it.
            if (outcome.Result == SendResult.Sent && outcome.ProviderMessageId is { } callId && Calls()?.CallIds.Contains(callId) == true)
            {
                if (!_up.TryGetValue(tenant, out var up)) _up[tenant] = up = new HashSet<string>(StringComparer.Ordinal);
                up.Add(callId);
            }
            else trunk.Ended();
        }
    }

    private void ReapEndedCalls(string tenant, CallPacer trunk)
    {
        if (!_up.TryGetValue(tenant, out var up) || up.Count == 0) return;
        var live = Calls()?.CallIds.ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var ended in up.Where(id => !live.Contains(id)).ToList())
        {
            up.Remove(ended);
            trunk.Ended();
        }
    }

    private IVoiceCalls? Calls()
    {
        if (!_callsResolved) (_calls, _callsResolved) = (services.GetService<IVoiceCalls>(), true);
        return _calls;
    }

    private async ValueTask<JourneyCapacityPlan> PlanAsync(string tenant)
    {
        lock (_lock)
            if (_plans.TryGetValue(tenant, out var cached) && time.GetElapsedTime(cached.At) < options.PlanRefresh) return cached.Plan;
        JourneyCapacityPlan plan;
        try
        {
            plan = await grains.GetGrain<IJourneyCapacityGrain>(tenant).Plan();
        }
        catch (Exception e)
        {
            // The silo may be starting or away: keep pacing by the last plan, or by the defaults.
            logger.LogWarning("Journey capacity plan for tenant {Tenant} not read ({Error}); pacing by the last one known", tenant, e.GetType().Name);
            lock (_lock) return _plans.TryGetValue(tenant, out var old) ? old.Plan : Fallback();
        }
        lock (_lock) _plans[tenant] = (plan, time.GetTimestamp());
        return plan;
    }

    private static JourneyCapacityPlan Fallback()
    {
        var d = TenantJourneyRules.Default;
        return new JourneyCapacityPlan(d.MessagesPerMinute, d.JourneyShare, d.CallsPerSecond, d.ConcurrentCalls, new Dictionary<string, int>());
    }
}

/// <summary>A journey call the pacer let through, and when.</summary>
public sealed record PacedStart(string Tenant, string Journey, DateTimeOffset At);

/// <summary>Section <c>Journeys:Pacing</c>; the capacities themselves are per tenant (<c>capacity</c> in the tenant's <c>journeys/rules.yaml</c>).</summary>
public sealed class JourneyPacingOptions
{
    public const string Section = "Journeys:Pacing";

    /// <summary>Off: journey messages and calls leave as fast as the dispatcher sends (tests of other things, benchmarks of the peak).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a tenant's plan (capacity rules, running journeys and their weights) is used before it is read again.</summary>
    public TimeSpan PlanRefresh { get; set; } = TimeSpan.FromSeconds(5);
}
