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

    [Fact]
    public void One_timer_serves_every_digit_and_a_pound_disarms_it()
    {
        var time = new FakeTimeProvider();
        var inputs = new List<string>();
        using var collector = new DigitCollector(time, TimeSpan.FromSeconds(3), inputs.Add);
        collector.Add('7');
        collector.Add('#');
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["7"], inputs); // the timer armed by '7' does not complete anything after the '#'

        // Digits keyed at 1 s intervals keep the input open; it completes 3 s after the last one, once.
        foreach (var d in "890")
        {
            collector.Add(d);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Single(inputs);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["7", "890"], inputs);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, inputs.Count);
    }

    [Fact]
    public void The_input_times_out_on_the_real_clock()
    {
        using var done = new ManualResetEventSlim();
        string? input = null;
        using var collector = new DigitCollector(TimeProvider.System, TimeSpan.FromMilliseconds(50), s => { input = s; done.Set(); });
        collector.Add('4');
        collector.Add('2');
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal("42", input);
    }
}
