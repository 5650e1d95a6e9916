using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Engine;

/// <summary>What <see cref="StepEngine.Advance"/> asks the host to do next.</summary>
public sealed record Advance(StepEffect? Effect, DateTimeOffset? WakeAt, bool Finished);

/// <summary>
/// The journey step engine: pure code that both the enrolment grain and the simulator run. <see cref="Advance"/> moves
/// an enrolment as far as it can at <c>now</c> and returns either an effect to perform (then <see cref="Acknowledge"/>),
/// a time to wake up at, or that it finished. Goal and opt-out are checked at every step boundary, before any send.
/// </summary>
public static class StepEngine
{
    public static Advance Advance(JourneyDefinition journey, TenantJourneyRules rules, EnrolmentState state, ICustomerFacts facts, DateTimeOffset now)
    {
        state.SeenAtEnrol ??= Marks(facts);
        for (var guard = 0; guard <= journey.Steps.Count + 1; guard++)
        {
            if (state.Status != EnrolmentStatus.Active) return new(null, null, true);
            if (state.Pending is { } pending) return new(pending, null, false);
            if (Ended(journey, state, facts, now)) return new(null, null, true);
            if (state.Cursor >= journey.Steps.Count)
            {
                Finish(state, EnrolmentStatus.Completed, now, "end", "completed");
                return new(null, null, true);
            }
            var step = journey.Steps[state.Cursor];
            if (state.Done.Contains(step.Id)) { state.Cursor++; continue; }
            switch (step)
            {
                case SendStep send:
                {
                    var candidates = send.BestOfTenantOrder ? rules.ChannelOrder : send.Channels;
                    var decision = SendRules.Decide(rules, candidates, journey.Purpose, send.Template is not null, send.Message is not null, facts, now);
                    if (Decided(state, step, decision, now, send.Template, send.Message is null ? null : Render(send.Message, state, facts), send.Suggestions, null, null) is { } r) return r;
                    continue;
                }
                case CallStep call:
                {
                    var decision = SendRules.Decide(rules, [JourneyChannel.Voice], journey.Purpose, false, true, facts, now);
                    if (Decided(state, step, decision, now, null, null, [], Render(call.Reason, state, facts), call.Flow) is { } r) return r;
                    continue;
                }
                case WaitStep wait:
                {
                    if (state.WaitStartedAt is null)
                    {
                        state.WaitStartedAt = now;
                        state.SeenAtWait = Marks(facts);
                    }
                    var due = state.WaitStartedAt.Value + wait.Timeout;
                    // Providers stamp events in whole seconds: an event in the second the wait began counts when it has no
                    // mark (the simulator); a marked event counts when it was not there when the wait began.
                    var since = new DateTimeOffset(state.WaitStartedAt.Value.UtcTicks - state.WaitStartedAt.Value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
                    var matched = wait.Until is { } kind && facts.Events.Any(e => e.Kind == kind && IsNew(e, state.SeenAtWait, since) && (wait.UntilName is null || e.Name == wait.UntilName));
                    if (!matched && now < due) { state.WakeAt = due; return new(null, due, false); }
                    Complete(state, step, now, "wait", matched ? $"{wait.Until!.Value.ToString().ToLowerInvariant()} seen" : "timed out");
                    state.WaitStartedAt = null;
                    state.SeenAtWait = null;
                    continue;
                }
                case BranchStep branch:
                {
                    var holds = Holds(branch.Condition, journey, state, facts);
                    var target = holds ? branch.Then : branch.Else;
                    Complete(state, step, now, "branch", $"{(holds ? "then" : "else")} -> {target ?? "next"}");
                    if (target is not null) state.Cursor = journey.IndexOf(target);
                    continue;
                }
                case GoalStep:
                    Complete(state, step, now, "goal", "goal reached");
                    Finish(state, EnrolmentStatus.GoalReached, now, step.Id, "goal");
                    return new(null, null, true);
                case ExitStep:
                    Complete(state, step, now, "exit", "exited");
                    Finish(state, EnrolmentStatus.Exited, now, step.Id, "exit");
                    return new(null, null, true);
            }
        }
        throw new InvalidOperationException($"journey {journey.Id} made no progress");
    }

    /// <summary>The host performed (or the outbox refused) the pending effect: the step is done and the cursor moves on.</summary>
    public static void Acknowledge(EnrolmentState state, bool accepted, DateTimeOffset now, string? detail = null)
    {
        if (state.Pending is not { } effect) return;
        state.Pending = null;
        state.Done.Add(effect.StepId);
        state.Cursor++;
        state.WakeAt = null;
        if (accepted) { state.LastSendAt = now; state.LastSendFailed = false; }
        state.Timeline.Add(new(now, effect.StepId, effect.Kind == SendKind.Call ? "call" : "send", accepted ? "enqueued" : $"refused by outbox: {detail}", effect.Channel, Key: effect.IdempotencyKey));
    }

    /// <summary>A cap reserved elsewhere (another journey took the last unit meanwhile): the decided send waits and is decided again then.</summary>
    public static void Retract(EnrolmentState state, DateTimeOffset until, DateTimeOffset now, string reason)
    {
        if (state.Pending is not { } effect) return;
        state.Pending = null;
        state.WakeAt = until;
        state.Timeline.Add(new(now, effect.StepId, effect.Kind == SendKind.Call ? "call" : "send", "deferred", effect.Channel,
            [new TraceEntry(RuleNames.FrequencyCap, effect.Channel, Verdict.Deferred, $"{reason}: until {until:yyyy-MM-ddTHH:mm:ssZ}")]));
    }

    /// <summary>The last send's delivery failed (a receipt): a branch on <c>delivery-failed</c> sees it.</summary>
    public static void NoteDeliveryFailed(EnrolmentState state) => state.LastSendFailed = true;

    public static void Stop(EnrolmentState state, DateTimeOffset now) => Finish(state, EnrolmentStatus.Stopped, now, "stop", "stopped by operator");

    public static string KeyOf(EnrolmentState state, string stepId) => $"journey:{state.Journey}:{state.Run}:{state.CustomerId}:{stepId}";

    private static Advance? Decided(EnrolmentState state, JourneyStep step, SendDecision decision, DateTimeOffset now,
        string? template, string? text, IReadOnlyList<string> suggestions, string? reason, string? flow)
    {
        var kind = step is CallStep ? "call" : "send";
        switch (decision.Kind)
        {
            case SendDecisionKind.Send:
                var effect = new StepEffect(step.Id, decision.Channel!.Value, decision.SendKind, template, text, suggestions, KeyOf(state, step.Id), reason, flow);
                state.Pending = effect;
                state.Timeline.Add(new(now, step.Id, kind, "decided", decision.Channel, decision.Trace, effect.IdempotencyKey));
                return new(effect, null, false);
            case SendDecisionKind.Defer:
                var last = state.Timeline.Count > 0 ? state.Timeline[^1] : null;
                // One timeline line per deferral reason, not one per wake-up.
                if (last is null || last.StepId != step.Id || last.Outcome != "deferred" || last.Trace?[^1].Rule != decision.Trace[^1].Rule)
                    state.Timeline.Add(new(now, step.Id, kind, "deferred", decision.Channel, decision.Trace));
                state.WakeAt = decision.Until;
                return new(null, decision.Until, false);
            default:
                Complete(state, step, now, kind, "refused", decision.Trace);
                return null;
        }
    }

    private static bool Ended(JourneyDefinition journey, EnrolmentState state, ICustomerFacts facts, DateTimeOffset now)
    {
        foreach (var e in facts.Events)
        {
            if (!IsNew(e, state.SeenAtEnrol, state.EnrolledAt)) continue;
            if (journey.Goal is { } goal && goal.IsReachedBy(e))
            {
                Finish(state, EnrolmentStatus.GoalReached, now, "goal", $"goal: {e.Kind.ToString().ToLowerInvariant()}{(e.Name is null ? "" : " " + e.Name)}");
                return true;
            }
            if (journey.ExitOnOptOut && e.Kind == CustomerEventKind.OptedOut)
            {
                Finish(state, EnrolmentStatus.Exited, now, "exit", "opted out");
                return true;
            }
        }
        if (journey.Goal is { Attribute: { } name } g && Attribute(name, state, facts) is { } value && (g.EqualsValue is null || value == g.EqualsValue))
        {
            Finish(state, EnrolmentStatus.GoalReached, now, "goal", $"goal: {name}");
            return true;
        }
        return false;
    }

    private static bool Holds(BranchCondition c, JourneyDefinition journey, EnrolmentState state, ICustomerFacts facts) => c.On switch
    {
        BranchOn.Replied => facts.Events.Any(e => e.Kind == CustomerEventKind.Replied && IsNew(e, state.SeenAtEnrol, state.EnrolledAt)),
        BranchOn.Intent => facts.Events.Any(e => e.Kind == CustomerEventKind.Intent && e.Name == c.Name && IsNew(e, state.SeenAtEnrol, state.EnrolledAt)),
        BranchOn.Attribute => Attribute(c.Name!, state, facts) is { } v && (c.Value is null || v == c.Value),
        BranchOn.DeliveryFailed => state.LastSendFailed,
        BranchOn.Consent => facts.CanContact(c.Channel!.Value, journey.Purpose).Allowed,
        _ => false,
    };

    /// <summary>Whether the event happened after a point: by its mark when it has one (not among those seen then), else by its time.</summary>
    private static bool IsNew(CustomerEvent e, List<string>? seen, DateTimeOffset since) =>
        e.Mark is { } mark && seen is not null ? !seen.Contains(mark) : e.At >= since;

    private static List<string> Marks(ICustomerFacts facts)
    {
        var marks = new List<string>();
        foreach (var e in facts.Events) if (e.Mark is { } m) marks.Add(m);
        return marks;
    }

    private static string? Attribute(string name, EnrolmentState state, ICustomerFacts facts) =>
        state.Attributes.TryGetValue(name, out var v) ? v : facts.Attribute(name);

    private static void Complete(EnrolmentState state, JourneyStep step, DateTimeOffset now, string kind, string outcome, IReadOnlyList<TraceEntry>? trace = null)
    {
        state.Done.Add(step.Id);
        state.Cursor++;
        state.WakeAt = null;
        state.Timeline.Add(new(now, step.Id, kind, outcome, Trace: trace));
    }

    private static void Finish(EnrolmentState state, EnrolmentStatus status, DateTimeOffset now, string stepId, string outcome)
    {
        state.Status = status;
        state.WakeAt = null;
        state.Pending = null;
        state.Timeline.Add(new(now, stepId, "end", outcome));
    }

    /// <summary>Fills <c>{{name}}</c> placeholders from the enrolment's attributes, then the customer's context.</summary>
    public static string Render(string text, EnrolmentState state, ICustomerFacts facts)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 16);
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || close < 0) { sb.Append(text, i, text.Length - i); break; }
            sb.Append(text, i, open - i);
            var name = text.Substring(open + 2, close - open - 2).Trim();
            sb.Append(Attribute(name, state, facts) ?? "");
            i = close + 2;
        }
        return sb.ToString();
    }
}
