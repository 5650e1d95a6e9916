using Microsoft.Extensions.Time.Testing;
using Switchboard.Channels.Voice.Calls;

namespace Switchboard.Voice.Tests;

/// <summary>DTMF digits become engine input: on # or after the inter-digit timeout; call codes are recognised.</summary>
public sealed class DigitCollectorTests
{
    [Fact]
    public void Digit_collector_completes_on_pound_and_after_the_inter_digit_timeout()
    {
        var time = new FakeTimeProvider();
        var inputs = new List<string>();
        using var collector = new DigitCollector(time, TimeSpan.FromSeconds(3), inputs.Add);
        foreach (var d in "12#") collector.Add(d);
        Assert.Equal(["12"], inputs);

        collector.Add('4');
        time.Advance(TimeSpan.FromSeconds(2));
        collector.Add('5');
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(inputs); // the timer restarted with the second digit
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["12", "45"], inputs);

        foreach (var d in "*123456#") collector.Add(d);
        Assert.Equal("*123456", inputs[^1]);
        Assert.True(VoiceTurns.IsCallCode(inputs[^1]));
        Assert.False(VoiceTurns.IsCallCode("*12345"));
    }
}
