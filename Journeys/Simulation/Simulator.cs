using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Simulation;

/// <summary>Scheduled changes the simulator applies beyond the response model (the property test revokes consent at random times).</summary>
public sealed record ConsentChange(int Customer, DateTimeOffset At, JourneyChannel Channel, string Purpose, bool Granted);

/// <summary>
/// Runs journeys over synthetic customers on virtual time: an event queue ordered by time instead of a clock, the same
/// <see cref="StepEngine"/> the enrolment grain runs, and the channels' outbound side recorded instead of sent. Every
/// customer is enrolled in every given journey, so caps across journeys are exercised. Deterministic for a seed.
/// </summary>
public sealed class Simulator
{
    private enum ItemKind { Wake, Reply, CallEnd, DeliveryFailed, Consent }

    private readonly record struct Item(ItemKind Kind, int Customer, int Enrolment, JourneyChannel Channel, int Flags);

    private readonly TenantJourneyRules _rules;
    private readonly IReadOnlyList<JourneyDefinition> _journeys;
    private readonly ResponseModel _model;
    private readonly Random _random;
    private readonly PriorityQueue<Item, long> _queue = new();
    private readonly List<SimCustomer> _customers = [];
    private readonly List<(EnrolmentState State, JourneyDefinition Journey, int Customer)> _enrolments = [];
    private long[] _scheduled = [];
    private DateTimeOffset _now;

    public Simulator(TenantJourneyRules rules, IReadOnlyList<JourneyDefinition> journeys, ResponseModel model, int seed)
    {
        _rules = rules;
        _journeys = journeys;
        _model = model;
        _random = new Random(seed);
    }

    /// <summary>Called for every send or call before it is recorded: the property test audits the rules here.</summary>
    public Action<SimCustomer, EnrolmentState, StepEffect, DateTimeOffset>? OnSend { get; init; }

    /// <summary>Attributes each enrolment starts with (recall=safety for some), by customer index.</summary>
    public Func<int, Random, IReadOnlyDictionary<string, string>>? Attributes { get; init; }

    public IReadOnlyList<SimCustomer> Customers => _customers;

    public IEnumerable<EnrolmentState> Enrolments => _enrolments.Select(e => e.State);

    public SimulationReport Run(int customers, DateTimeOffset start, TimeSpan horizon, IReadOnlyList<ConsentChange>? changes = null)
    {
        var report = new SimulationReport { Customers = customers };
        _now = start;
        var zonesByRegion = _model.Regions.ToDictionary(r => r, r => CustomerZones.Resolve(null, r, _rules.DefaultTimeZone));
        var purposes = _journeys.Select(j => j.Purpose).Distinct().ToList();
        for (var c = 0; c < customers; c++)
        {
            var region = _model.Regions[_random.Next(_model.Regions.Count)];
            var customer = new SimCustomer($"c-{c}", zonesByRegion[region], _random.NextDouble() < _model.RcsCapableShare);
            foreach (var channel in JourneyChannels.All)
                foreach (var purpose in purposes)
                    customer.SetConsent(channel, purpose, _random.NextDouble() < _model.ConsentGranted);
            if (_random.NextDouble() < _model.RecentInbound) customer.LastInboundAt = start - TimeSpan.FromMinutes(_random.Next(1, 1440));
            _customers.Add(customer);
            var attributes = Attributes?.Invoke(c, _random);
            foreach (var journey in _journeys)
            {
                var state = new EnrolmentState { Journey = journey.Id, CustomerId = customer.Id, Run = "sim", EnrolledAt = start };
                if (attributes is not null) foreach (var (k, v) in attributes) state.Attributes[k] = v;
                customer.Enrolments.Add(_enrolments.Count);
                _enrolments.Add((state, journey, c));
            }
        }
        report.Enrolments = _enrolments.Count;
        _scheduled = new long[_enrolments.Count];
        for (var e = 0; e < _enrolments.Count; e++) Push(new Item(ItemKind.Wake, _enrolments[e].Customer, e, default, 0), start.AddSeconds(_random.Next(0, 3600)));
        foreach (var change in changes ?? []) Push(new Item(ItemKind.Consent, change.Customer, purposes.IndexOf(change.Purpose), change.Channel, change.Granted ? 1 : 0), change.At);

        var end = start + horizon;
        while (_queue.TryDequeue(out var item, out var ticks))
        {
            if (ticks > end.UtcTicks) break;
            _now = new DateTimeOffset(ticks, TimeSpan.Zero);
            var customer = _customers[item.Customer];
            switch (item.Kind)
            {
                case ItemKind.Wake:
                    if (_scheduled[item.Enrolment] != ticks) continue;
                    Drive(item.Enrolment, report);
                    continue;
                case ItemKind.Reply:
                    customer.LastInboundAt = _now;
                    customer.EventList.Add(new(CustomerEventKind.Replied, _now, item.Channel));
                    if ((item.Flags & 1) != 0) customer.EventList.Add(new(CustomerEventKind.Intent, _now, item.Channel, _model.GoalIntent));
                    if ((item.Flags & 2) != 0)
                    {
                        foreach (var p in purposes) customer.SetConsent(item.Channel, p, false);
                        customer.EventList.Add(new(CustomerEventKind.OptedOut, _now, item.Channel));
                    }
                    break;
                case ItemKind.CallEnd:
                    customer.EventList.Add(new((item.Flags & 1) != 0 ? CustomerEventKind.CallCompleted : CustomerEventKind.CallUnanswered, _now, JourneyChannel.Voice));
                    if ((item.Flags & 2) != 0) { customer.Context["booking"] = "booked"; customer.EventList.Add(new(CustomerEventKind.Goal, _now, JourneyChannel.Voice)); }
                    break;
                case ItemKind.DeliveryFailed:
                    StepEngine.NoteDeliveryFailed(_enrolments[item.Enrolment].State);
                    customer.EventList.Add(new(CustomerEventKind.DeliveryFailed, _now, item.Channel));
                    break;
                case ItemKind.Consent:
                    customer.SetConsent(item.Channel, purposes[item.Enrolment], item.Flags == 1);
                    break;
            }
            // Something happened to the customer: every enrolment of theirs looks at it now, as the live grain does when pulled.
            foreach (var e in customer.Enrolments) Drive(e, report);
        }

        foreach (var (state, _, _) in _enrolments)
            switch (state.Status)
            {
                case EnrolmentStatus.GoalReached:
                    report.Conversions++;
                    report.TimesToGoal.Add(state.Timeline[^1].At - state.EnrolledAt);
                    break;
                case EnrolmentStatus.Exited: report.Exited++; break;
                case EnrolmentStatus.Completed: report.Completed++; break;
            }
        return report;
    }

    private void Drive(int e, SimulationReport report)
    {
        var (state, journey, c) = _enrolments[e];
        if (state.Status != EnrolmentStatus.Active) return;
        var customer = _customers[c];
        var before = state.Timeline.Count;
        for (var guard = 0; guard < 64; guard++)
        {
            var advance = StepEngine.Advance(journey, _rules, state, customer, _now);
            if (advance.Effect is { } effect)
            {
                OnSend?.Invoke(customer, state, effect, _now);
                Perform(e, customer, journey, effect, report);
                StepEngine.Acknowledge(state, true, _now);
                continue;
            }
            if (advance.WakeAt is { } wake && _scheduled[e] != wake.UtcTicks) Push(new Item(ItemKind.Wake, c, e, default, 0), wake);
            break;
        }
        for (var i = before; i < state.Timeline.Count; i++)
        {
            var entry = state.Timeline[i];
            report.StepsRun++;
            if (entry.Trace is null) continue;
            foreach (var t in entry.Trace)
            {
                if (t.Verdict == Verdict.Refused) Count(report.RefusalsByRule, t.Rule);
                else if (t.Verdict == Verdict.Fallback) report.Fallbacks++;
            }
            if (entry.Outcome == "deferred") Count(report.DeferralsByRule, entry.Trace[^1].Rule);
        }
    }

    private void Perform(int e, SimCustomer customer, JourneyDefinition journey, StepEffect effect, SimulationReport report)
    {
        customer.TouchList.Add(new Touch(_now, effect.Channel, journey.Purpose, journey.Id));
        if (effect.Kind == SendKind.Call)
        {
            report.Calls++;
            var answered = _random.NextDouble() < _model.AnswerRate;
            if (answered) report.CallsAnswered++;
            var booked = answered && _random.NextDouble() < _model.BookOnAnsweredCall;
            Push(new Item(ItemKind.CallEnd, _enrolments[e].Customer, e, JourneyChannel.Voice, (answered ? 1 : 0) | (booked ? 2 : 0)), _now.AddMinutes(answered ? 4 : 1));
            return;
        }
        report.SendsPerChannel[effect.Channel] = report.SendsPerChannel.GetValueOrDefault(effect.Channel) + 1;
        if (_random.NextDouble() < _model.DeliveryFailRate)
        {
            Push(new Item(ItemKind.DeliveryFailed, _enrolments[e].Customer, e, effect.Channel, 0), _now.AddSeconds(30));
            return;
        }
        if (_random.NextDouble() < _model.ReplyRate.GetValueOrDefault(effect.Channel))
        {
            var delay = TimeSpan.FromSeconds(-Math.Log(1 - _random.NextDouble()) * _model.MeanReplyDelay.TotalSeconds);
            var flags = (_random.NextDouble() < _model.GoalIntentOnReply ? 1 : 0) | (_random.NextDouble() < _model.OptOutRate ? 2 : 0);
            Push(new Item(ItemKind.Reply, _enrolments[e].Customer, e, effect.Channel, flags), _now + delay);
        }
    }

    private void Push(Item item, DateTimeOffset at)
    {
        if (item.Kind == ItemKind.Wake) _scheduled[item.Enrolment] = at.UtcTicks;
        _queue.Enqueue(item, at.UtcTicks);
    }

    private static void Count(Dictionary<string, long> counts, string rule) => counts[rule] = counts.GetValueOrDefault(rule) + 1;
}
