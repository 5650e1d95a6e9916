using System.Text.Json;
using Switchboard.Journeys.Engine;
using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;
using Switchboard.Journeys.Simulation;

namespace Switchboard.Journeys.Tests;

public class StepEngineTests
{
    private static readonly Loading.JourneyCatalog Catalog = Shipped.Autoservice;
    private static readonly JourneyDefinition Journey = Catalog.Journeys["service-reminder"];

    private sealed class Run(SimCustomer customer, bool recall)
    {
        public EnrolmentState State { get; } = new()
        {
            Journey = Journey.Id, CustomerId = customer.Id, Run = "r1", EnrolledAt = Shipped.MondayMorningIndia,
            Attributes = recall ? new() { ["model"] = "Nexon", ["recall"] = "safety" } : new() { ["model"] = "Nexon" },
        };
        public List<(DateTimeOffset At, StepEffect Effect)> Sent { get; } = [];
        public DateTimeOffset Now { get; set; } = Shipped.MondayMorningIndia;

        /// <summary>Runs the engine at Now and acknowledges every effect, as the grain does; returns when it sleeps or ends.</summary>
        public Advance Drive()
        {
            while (true)
            {
                var a = StepEngine.Advance(Journey, Catalog.Rules, State, customer, Now);
                if (a.Effect is null) return a;
                Sent.Add((Now, a.Effect));
                customer.TouchList.Add(new Touch(Now, a.Effect.Channel, Journey.Purpose, Journey.Id));
                StepEngine.Acknowledge(State, true, Now);
            }
        }

        /// <summary>Jumps virtual time to the engine's wake-up and drives again.</summary>
        public Advance Sleep()
        {
            Now = State.WakeAt ?? throw new InvalidOperationException("not sleeping");
            return Drive();
        }
    }

    [Fact]
    public void No_reply_for_48h_sends_interactive_rcs_then_a_recall_call_and_a_booking_on_the_call_reaches_the_goal()
    {
        var customer = Shipped.Customer();
        var run = new Run(customer, recall: true);
        run.Drive();
        Assert.Equal((JourneyChannel.WhatsApp, SendKind.Template, "service_reminder"), (run.Sent[0].Effect.Channel, run.Sent[0].Effect.Kind, run.Sent[0].Effect.Template));
        Assert.Equal(Shipped.MondayMorningIndia.AddHours(48), run.State.WakeAt);

        run.Sleep();
        var nudge = run.Sent[1].Effect;
        Assert.Equal((JourneyChannel.Rcs, "interactive-nudge"), (nudge.Channel, nudge.StepId));
        Assert.Equal(["Book a slot", "Call me"], nudge.Suggestions);
        Assert.Contains("Nexon", nudge.Text);

        run.Sleep(); // 24 h later: a safety recall, still no reply -> the call (within voice open hours)
        var call = run.Sent[2].Effect;
        Assert.Equal((JourneyChannel.Voice, SendKind.Call, "book_service"), (call.Channel, call.Kind, call.Flow));
        Assert.StartsWith("a safety recall on your Nexon", call.Reason);
        Assert.Equal("wait-for-call", Journey.Steps[run.State.Cursor].Id);

        // The customer answers and books on the phone: the flow's intent is the goal. The written confirmation is the
        // voice channel's (every flow completed on a call gets one), so the journey sends nothing more.
        run.Now = run.Now.AddMinutes(5);
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.Intent, run.Now, JourneyChannel.Voice, "book_service", "intent:1"));
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.CallCompleted, run.Now, JourneyChannel.Voice, "book_service", "call:1"));
        var end = run.Drive();
        Assert.True(end.Finished);
        Assert.Equal(EnrolmentStatus.GoalReached, run.State.Status);
        Assert.Equal(3, run.Sent.Count);
        Assert.Equal("goal: intent book_service", run.State.Timeline[^1].Outcome);
    }

    [Fact]
    public void A_call_that_ends_without_a_booking_ends_the_journey_without_the_goal()
    {
        var customer = Shipped.Customer();
        var run = new Run(customer, recall: true);
        run.Drive();
        run.Sleep();
        run.Sleep();
        Assert.Equal(SendKind.Call, run.Sent[^1].Effect.Kind);
        run.Now = run.Now.AddMinutes(3);
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.CallCompleted, run.Now, JourneyChannel.Voice, "book_service", "call:2"));
        Assert.True(run.Drive().Finished);
        Assert.Equal(EnrolmentStatus.Exited, run.State.Status);
        Assert.Contains(run.State.Timeline, t => t is { StepId: "wait-for-call", Outcome: "callcompleted seen" });
    }

    [Fact]
    public void A_message_already_there_when_a_wait_begins_is_not_a_reply_even_in_the_same_provider_second()
    {
        var customer = Shipped.Customer();
        // The customer wrote at 10:00:00 (the provider's whole second); the enrolment starts at 10:00:00.700.
        var at = Shipped.MondayMorningIndia;
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.Replied, at, JourneyChannel.WhatsApp, Mark: "replied:whatsapp:1"));
        var run = new Run(customer, recall: false) { Now = at.AddMilliseconds(700) };
        run.State.EnrolledAt = run.Now;
        run.Drive();
        Assert.Single(run.Sent);
        Assert.Equal("wait-for-reply", Journey.Steps[run.State.Cursor].Id);

        // The next message, stamped in that same second, is a reply: its mark is new.
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.Replied, at, JourneyChannel.WhatsApp, Mark: "replied:whatsapp:2"));
        run.Now = run.Now.AddMilliseconds(200);
        run.Drive();
        Assert.Contains(run.State.Timeline, t => t is { StepId: "wait-for-reply", Outcome: "replied seen" });
        Assert.Contains(run.State.Timeline, t => t is { StepId: "replied", Outcome: "then -> end" });
    }

    [Fact]
    public void Revoking_whatsapp_mid_journey_moves_the_next_send_and_the_trace_says_why()
    {
        var customer = Shipped.Customer(rcs: false);
        var journey = Loading.JourneyLoader.Parse(new StringReader("""
            journey: two-touches
            purpose: marketing
            steps:
              - id: first
                send: { channel: best, template: t, message: "one" }
              - id: pause
                wait: { for: 26h }
              - id: second
                send: { channel: best, template: t, message: "two" }
            """), "two.yaml");
        var state = new EnrolmentState { Journey = journey.Id, CustomerId = customer.Id, Run = "r", EnrolledAt = Shipped.MondayMorningIndia };
        var first = StepEngine.Advance(journey, Catalog.Rules, state, customer, Shipped.MondayMorningIndia).Effect!;
        Assert.Equal(JourneyChannel.WhatsApp, first.Channel);
        StepEngine.Acknowledge(state, true, Shipped.MondayMorningIndia);
        Assert.NotNull(StepEngine.Advance(journey, Catalog.Rules, state, customer, Shipped.MondayMorningIndia).WakeAt);

        customer.SetConsent(JourneyChannel.WhatsApp, "marketing", false);
        var later = Shipped.MondayMorningIndia.AddHours(26);
        var second = StepEngine.Advance(journey, Catalog.Rules, state, customer, later).Effect!;
        Assert.Equal(JourneyChannel.Sms, second.Channel);
        var trace = state.Timeline.Last(t => t.StepId == "second").Trace!;
        Assert.Contains(trace, t => t is { Rule: RuleNames.Consent, Channel: JourneyChannel.WhatsApp, Verdict: Verdict.Refused, Reason: "marketing on whatsapp revoked" });
        Assert.Contains(trace, t => t is { Rule: RuleNames.RcsCapability, Verdict: Verdict.Refused });
        Assert.Contains(trace, t => t is { Rule: RuleNames.Fallback, Reason: "whatsapp -> sms" });
    }

    [Fact]
    public void The_goal_reached_stops_the_journey_before_the_next_send()
    {
        var customer = Shipped.Customer();
        var run = new Run(customer, recall: true);
        run.Drive();
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.Intent, run.Now.AddHours(2), JourneyChannel.WhatsApp, "book_service"));
        run.Now = run.Now.AddHours(2);
        Assert.True(run.Drive().Finished);
        Assert.Equal(EnrolmentStatus.GoalReached, run.State.Status);
        Assert.Single(run.Sent);
    }

    [Fact]
    public void A_decided_send_survives_a_restart_and_is_reissued_with_the_same_key()
    {
        var customer = Shipped.Customer();
        var state = new EnrolmentState { Journey = Journey.Id, CustomerId = customer.Id, Run = "r1", EnrolledAt = Shipped.MondayMorningIndia };
        var effect = StepEngine.Advance(Journey, Catalog.Rules, state, customer, Shipped.MondayMorningIndia).Effect!;

        // The process dies after storing the decision, before the outbox acknowledged it.
        var restored = JsonSerializer.Deserialize<EnrolmentState>(JsonSerializer.Serialize(state))!;
        customer.SetConsent(JourneyChannel.WhatsApp, "marketing", false); // even if the facts changed since
        var again = StepEngine.Advance(Journey, Catalog.Rules, restored, customer, Shipped.MondayMorningIndia.AddMinutes(3)).Effect!;
        Assert.Equal((effect.IdempotencyKey, effect.Channel), (again.IdempotencyKey, again.Channel));
        StepEngine.Acknowledge(restored, true, Shipped.MondayMorningIndia.AddMinutes(3));
        Assert.Contains("reminder", restored.Done);
        Assert.Null(StepEngine.Advance(Journey, Catalog.Rules, restored, customer, Shipped.MondayMorningIndia.AddMinutes(3)).Effect);
    }

    [Fact]
    public void An_opt_out_ends_the_journey()
    {
        var customer = Shipped.Customer();
        var run = new Run(customer, recall: true);
        run.Drive();
        customer.EventList.Add(new CustomerEvent(CustomerEventKind.OptedOut, run.Now.AddHours(1), JourneyChannel.WhatsApp));
        run.Now = run.Now.AddHours(1);
        Assert.True(run.Drive().Finished);
        Assert.Equal(EnrolmentStatus.Exited, run.State.Status);
    }
}
