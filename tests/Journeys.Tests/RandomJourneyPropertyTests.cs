using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;
using Switchboard.Journeys.Simulation;

namespace Switchboard.Journeys.Tests;

/// <summary>
/// The property test: 10,000 random journeys (5,000 runs of two journeys sharing customers, so caps count across
/// journeys) with random consent revocations, time zones, quiet hours, caps and replies. An auditor independent of the
/// rules code checks every send: 0 after a revocation, 0 in quiet hours, 0 over a cap, 0 steps twice.
/// </summary>
public class RandomJourneyPropertyTests
{
    private const int Runs = 5_000;

    [Fact]
    public void Ten_thousand_random_journeys_never_break_consent_quiet_hours_caps_or_send_a_step_twice()
    {
        var violations = new List<string>();
        long sends = 0, revocations = 0, sendsAfterARevocationElsewhere = 0, deferrals = 0;
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        for (var run = 0; run < Runs; run++)
        {
            var random = new Random(run);
            var quiet = new DailyWindow(new TimeOnly(random.Next(18, 24), 0), new TimeOnly(random.Next(6, 11), 0));
            var cap = new FrequencyCap("marketing", random.Next(1, 4), TimeSpan.FromHours(random.Next(6, 49)));
            var rules = TenantJourneyRules.Default with { QuietHours = quiet, Caps = [cap], DefaultTimeZone = "UTC" };
            var journeys = new[] { RandomJourney(random, $"j{run}a"), RandomJourney(random, $"j{run}b") };
            var keys = new HashSet<string>();
            var changes = new List<ConsentChange>();
            const int customers = 4;
            for (var c = 0; c < customers; c++)
                if (random.NextDouble() < 0.6)
                {
                    changes.Add(new(c, start.AddMinutes(random.Next(0, 5 * 24 * 60)), JourneyChannels.All[random.Next(4)], "marketing", false));
                    revocations++;
                }
            var sim = new Simulator(rules, journeys, new ResponseModel
            {
                ReplyRate = new Dictionary<JourneyChannel, double> { [JourneyChannel.WhatsApp] = random.NextDouble(), [JourneyChannel.Rcs] = random.NextDouble(), [JourneyChannel.Sms] = random.NextDouble() },
                OptOutRate = random.NextDouble() * 0.2,
                GoalIntentOnReply = 0.1,
                RcsCapableShare = random.NextDouble(),
                RecentInbound = random.NextDouble(),
                ConsentGranted = 0.5 + random.NextDouble() / 2,
            }, seed: run)
            {
                OnSend = (customer, state, effect, now) =>
                {
                    sends++;
                    if (!customer.IsGranted(effect.Channel, "marketing"))
                        violations.Add($"run {run}: {effect.StepId} on {effect.Channel} after revocation");
                    else if (changes.Any(ch => ch.Customer.ToString() == customer.Id[2..] && ch.At <= now && ch.Channel != effect.Channel))
                        sendsAfterARevocationElsewhere++;
                    foreach (var zone in customer.Zones.Zones)
                        if (quiet.Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime)))
                            violations.Add($"run {run}: {effect.StepId} at {now:O} is in quiet hours in {zone.Id}");
                    var inWindow = customer.Touches.Count(t => t.At > now - cap.Window && t.At <= now);
                    if (inWindow >= cap.Max)
                        violations.Add($"run {run}: {effect.StepId} is touch {inWindow + 1} in {cap.Window} (cap {cap.Max})");
                    if (!keys.Add(effect.IdempotencyKey))
                        violations.Add($"run {run}: {effect.IdempotencyKey} sent twice");
                },
            };
            var report = sim.Run(customers, start.AddHours(random.Next(0, 24)), TimeSpan.FromDays(10), changes);
            deferrals += report.DeferralsByRule.Values.Sum();
            foreach (var state in sim.Enrolments)
                if (state.Timeline.GroupBy(t => t.StepId).Any(g => g.Count(t => t.Outcome == "enqueued") > 1))
                    violations.Add($"run {run}: a step of {state.Journey} was enqueued twice");
        }
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations.Take(20)));
        // The property is not vacuous: sends happened, many were deferred by the rules, and revocations moved later sends.
        Assert.True(sends > 10_000, $"only {sends} sends");
        Assert.True(deferrals > 1_000, $"only {deferrals} deferrals");
        Assert.True(revocations > 5_000 && sendsAfterARevocationElsewhere > 500, $"{revocations} revocations, {sendsAfterARevocationElsewhere} sends after one");
    }

    private static JourneyDefinition RandomJourney(Random random, string id)
    {
        var count = random.Next(2, 8);
        var steps = new List<JourneyStep>();
        for (var i = 0; i < count; i++)
        {
            var stepId = $"s{i}";
            var roll = random.Next(10);
            if (roll < 5)
            {
                var channels = JourneyChannels.All.Where(c => c != JourneyChannel.Voice).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
                steps.Add(new SendStep(stepId, i, channels, random.Next(4) == 0, random.Next(2) == 0 ? "tpl" : null, random.Next(5) == 0 && channels.Contains(JourneyChannel.WhatsApp) ? null : "text", []));
            }
            else if (roll < 6) steps.Add(new CallStep(stepId, i, "a reason", null));
            else if (roll < 8) steps.Add(new WaitStep(stepId, i, TimeSpan.FromMinutes(random.Next(1, 72 * 60)), random.Next(2) == 0 ? CustomerEventKind.Replied : null, null));
            else steps.Add(new BranchStep(stepId, i, new BranchCondition(random.Next(2) == 0 ? BranchOn.Replied : BranchOn.DeliveryFailed), random.Next(2) == 0 ? $"s{random.Next(i + 1, count + 1)}" : null, null));
        }
        steps.Add(new ExitStep($"s{count}", count));
        return new JourneyDefinition(id, id, "marketing", steps, random.Next(3) == 0 ? new JourneyGoal("book_service", null, null) : null, random.Next(2) == 0, "random");
    }
}
