using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Transport;

namespace Switchboard.Telephony.Tests;

/// <summary>The SIP receive thread's flood guard: real-time priority for at most a share of each window's time.</summary>
public sealed class RealtimeBudgetTests
{
    // Ticks are abstract here: a window of 100, a budget of 25.
    private static RealtimeBudget Guard(long now = 1_000) => new(window: 100, budget: 25, now);

    [Fact]
    public void Signalling_within_the_budget_stays_realtime()
    {
        var guard = Guard();
        for (var t = 1_000; t < 2_000; t += 10)
            Assert.False(guard.Charge(busy: 2, now: t)); // 20 % of each window
        Assert.True(guard.Realtime);
        Assert.Equal(0, guard.Demotions);
    }

    [Fact]
    public void A_window_spent_past_its_budget_demotes_once_and_the_next_window_raises_again()
    {
        var guard = Guard();
        Assert.False(guard.Charge(10, 1_010));
        Assert.False(guard.Charge(10, 1_020));
        Assert.True(guard.Charge(10, 1_030)); // 30 > 25: demoted
        Assert.False(guard.Realtime);
        Assert.False(guard.Charge(10, 1_040)); // still demoted, no second change
        Assert.False(guard.Idle(1_099)); // the window has not ended
        Assert.Equal(1, guard.Demotions);

        Assert.True(guard.Idle(1_100)); // a new window: raised before the thread waits or handles the next datagram
        Assert.True(guard.Realtime);
        Assert.False(guard.Charge(5, 1_105));
        Assert.True(guard.Realtime);
    }

    [Fact]
    public void A_flood_that_never_lets_the_thread_wait_is_demoted_in_every_window()
    {
        var guard = Guard();
        var realtimeTicks = 0;
        for (var t = 1_001; t <= 2_000; t++)
        {
            var wasRealtime = guard.Realtime || guard.Idle(t);
            guard.Charge(busy: 1, now: t); // busy all the time: 100 % of a core
            if (wasRealtime) realtimeTicks++;
        }
        // About ten windows of 100 ticks: each gives the thread its 25 ticks at real-time priority, then demotes it.
        Assert.InRange(guard.Demotions, 9, 11);
        Assert.InRange(realtimeTicks, 9 * 25, 11 * 26); // about a quarter of the time, never the whole core
    }

    [Fact]
    public void One_long_message_is_charged_to_the_window_it_ends_in()
    {
        var guard = Guard();
        Assert.True(guard.Charge(busy: 400, now: 1_500)); // longer than a window: the new window starts with it spent
        Assert.False(guard.Realtime);
        Assert.True(guard.Idle(1_600));
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealtimeBudget(0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealtimeBudget(100, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealtimeBudget(100, 100, 0));
    }

    [Fact]
    public async Task A_live_flood_demotes_the_receive_thread_which_still_handles_every_datagram_and_is_raised_again()
    {
        using var transport = new UdpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        transport.Bind();
        using var cts = new CancellationTokenSource();
        const int flood = 80; // 5 ms of work each: 400 ms, four windows at least
        var handled = 0;
        var released = false;
        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = transport.RunAsync((_, _) =>
        {
            var n = Interlocked.Increment(ref handled);
            if (!Volatile.Read(ref released)) Spin(TimeSpan.FromMilliseconds(5)); // a flood that takes the whole core
            if (n == flood) allHandled.TrySetResult();
            Volatile.Read(ref next).TrySetResult();
        }, cts.Token);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var datagram = Encoding.ASCII.GetBytes("OPTIONS sip:flood@127.0.0.1 SIP/2.0\r\n\r\n");
        for (var i = 0; i < flood; i++) sender.SendTo(datagram, transport.LocalEndPoint);
        await allHandled.Task.WaitAsync(TimeSpan.FromSeconds(60));

        if (!transport.RealtimeAllowed)
        {
            Assert.Equal(0, transport.FloodDemotions); // no real-time priority here, so nothing to guard
        }
        else
        {
            Assert.True(transport.FloodDemotions >= 3, $"demotions {transport.FloodDemotions}");
            Volatile.Write(ref released, true);
            // After the flood, a datagram arriving in a later window finds the thread raised again.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var handledOne = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref next, handledOne);
                sender.SendTo(datagram, transport.LocalEndPoint);
                await handledOne.Task.WaitAsync(TimeSpan.FromSeconds(10));
                if (transport.Scheduling == "SCHED_FIFO 10") break;
                Assert.True(DateTime.UtcNow < deadline, $"still {transport.Scheduling} after the flood");
                await Task.Delay(20); // polling interval: the next datagram should land in a later window
            }
        }
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static void Spin(TimeSpan time)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < time) { }
    }
}
