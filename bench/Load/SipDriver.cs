using System.Diagnostics;

namespace Switchboard.Bench.Load;

/// <summary>
/// SIP calls with DTMF through <see cref="VoiceLoadCaller"/> (a UDP UAC with paced G.711 RTP and RFC 4733 digits): each
/// of <c>calls</c> callers dials a gateway, keys a digit, holds the call for a few seconds of media, hangs up, and dials
/// again. Latency is INVITE → 200 OK; a call that is not answered or not ended is an error.
/// </summary>
public sealed class SipDriver(int calls)
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    public ChannelStats Stats { get; } = new("sip");
    public long DigitsKeyed;

    public async Task RunAsync(LoadTarget target, Stopwatch clock, CancellationToken stop)
    {
        if (calls == 0 || target.Sip.Count == 0) return;
        var callers = target.Sip.Select(endpoint => new VoiceLoadCaller(endpoint)).ToList();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, calls).Select(c => Task.Run(() => Caller(callers, c, clock, stop))));
        }
        finally
        {
            foreach (var caller in callers) await caller.DisposeAsync();
        }
    }

    private async Task Caller(List<VoiceLoadCaller> callers, int index, Stopwatch clock, CancellationToken stop)
    {
        var attempt = index;
        while (!stop.IsCancellationRequested)
        {
            var caller = callers[attempt % callers.Count];
            try
            {
                var (call, ticks) = await caller.CallAsync($"+9198{index:D8}");
                Stats.Answered(ticks, clock.Elapsed.TotalSeconds);
                call.Key("1");
                Interlocked.Increment(ref DigitsKeyed);
                await Task.Delay(Hold, CancellationToken.None);
                await caller.HangUpAsync(call);
            }
            catch (TimeoutException)
            {
                Stats.Failed();
                attempt++;
            }
        }
    }
}
