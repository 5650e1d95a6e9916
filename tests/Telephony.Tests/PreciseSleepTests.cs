using System.Diagnostics;
using Switchboard.Telephony.Rtp;

namespace Switchboard.Telephony.Tests;

public sealed class PreciseSleepTests
{
    [Fact]
    public void A_sub_millisecond_sleep_uses_the_monotonic_clock_on_linux_and_never_wakes_early()
    {
        PreciseSleep.Sleep(1); // the first call binds the native function
        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, PreciseSleep.IsNative);
        for (var i = 0; i < 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            PreciseSleep.Sleep(300_000);
            Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMicroseconds(300), "woke before the 300 µs asked");
        }
    }
}
