using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.Journeys.Loading;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Tests;

/// <summary>The pure parts of pacing: a journey's message budget, its weight, the tenant's journey share, and which sends are a journey's.</summary>
public sealed class PacingRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_budget_spreads_its_messages_over_the_minute_and_never_sends_more_than_its_rate_in_any_window()
    {
        var budget = new MessageBudget(perMinute: 120, T0); // 2 a second, at most a second's worth at once
        var sent = new List<DateTimeOffset>();
        var now = T0;
        // Ask as often as a busy dispatcher would (every 10 ms of virtual time) for 30 s.
        while (now < T0.AddSeconds(30))
        {
            if (budget.TryTake(now, out var retry)) sent.Add(now);
            else Assert.True(retry > now);
            now = now.AddMilliseconds(10);
        }
        Assert.InRange(sent.Count, 59, 62); // 2/s for 30 s, plus the first second's burst
        for (var i = 0; i + 3 < sent.Count; i++)
            Assert.True(sent[i + 3] - sent[i] >= TimeSpan.FromSeconds(1), $"4 sends within a second at {sent[i]:ss.fff}");
    }

    [Fact]
    public void A_held_send_is_told_when_there_is_room_and_a_new_rate_applies_at_once()
    {
        var budget = new MessageBudget(perMinute: 30, T0); // one every 2 s
        Assert.True(budget.TryTake(T0, out _));
        Assert.False(budget.TryTake(T0, out var retry));
        Assert.Equal(T0.AddSeconds(2), retry);
        Assert.True(budget.TryTake(retry, out _));
        budget.SetRate(600, retry); // 10 a second
        Assert.False(budget.TryTake(retry, out var sooner));
        Assert.Equal(retry.AddMilliseconds(100), sooner);
    }

    [Fact]
    public void Weight_and_journey_share_load_from_yaml_and_bad_values_are_refused_with_their_line()
    {
        var journey = JourneyLoader.Parse(new StringReader("journey: heavy\nweight: 3\nsteps:\n  - exit: {}\n"), "heavy.yaml");
        Assert.Equal(3, journey.Weight);
        Assert.Equal(1, JourneyLoader.Parse(new StringReader("journey: plain\nsteps:\n  - exit: {}\n"), "plain.yaml").Weight);
        var bad = Assert.Throws<JourneyLoadException>(() => JourneyLoader.Parse(new StringReader("journey: x\nsteps:\n  - exit: {}\nweight: -2\n"), "x.yaml"));
        Assert.Contains(bad.Errors, e => e.ToString().StartsWith("x.yaml:4:", StringComparison.Ordinal) && e.ToString().Contains("weight"));

        using var dir = new Switchboard.TestSupport.TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "rules.yaml"), "capacity: { messagesPerMinute: 100, journeyShare: 0.25, callsPerSecond: 1, concurrentCalls: 2 }\n");
        var rules = JourneyCatalog.LoadDirectory(dir.Path).Rules;
        Assert.Equal((100, 0.25, 1, 2), (rules.MessagesPerMinute, rules.JourneyShare, rules.CallsPerSecond, rules.ConcurrentCalls));
        File.WriteAllText(Path.Combine(dir.Path, "rules.yaml"), "timeZone: UTC\ncapacity: { journeyShare: 1.5 }\n");
        var e = Assert.Throws<JourneyLoadException>(() => JourneyCatalog.LoadDirectory(dir.Path));
        Assert.Contains(e.Errors, x => x.ToString().Contains("rules.yaml:2:") && x.ToString().Contains("journeyShare"));
        Assert.Equal(TenantJourneyRules.DefaultJourneyShare, TenantJourneyRules.Default.JourneyShare);
    }

    [Fact]
    public void Only_a_journeys_send_keys_are_paced()
    {
        Assert.True(JourneyKeys.TryParseSendKey("journey:service-reminder:r1:c-42:reminder", out var journey));
        Assert.Equal("service-reminder", journey);
        Assert.False(JourneyKeys.TryParseSendKey("reply:c-42:7", out _));
        Assert.False(JourneyKeys.TryParseSendKey("journey::x", out _));
        Assert.False(JourneyKeys.TryParseSendKey(null, out _));
    }
}
