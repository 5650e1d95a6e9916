using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Switchboard.Telephony.Transport;

/// <summary>
/// The calling thread's own CPU time (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on 64-bit Linux), in
/// <see cref="Stopwatch"/> ticks. A flood guard charges this rather than wall time: a receive thread suspended by a
/// garbage collection or preempted by another thread did not spend that time handling datagrams. Where the call is
/// missing it falls back to wall time (<see cref="Stopwatch.GetTimestamp"/>), which over-charges but never under-charges.
/// </summary>
public static class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;
    private static bool _native = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>True while readings come from the thread's CPU clock.</summary>
    public static bool IsNative => _native;

    public static long Now()
    {
        if (_native)
        {
            try
            {
                if (clock_gettime(ClockThreadCpuTime, out var t) == 0)
                {
                    var nanoseconds = t.Seconds * 1_000_000_000 + t.Nanoseconds;
                    return Stopwatch.Frequency == 1_000_000_000 ? nanoseconds : (long)(nanoseconds * (Stopwatch.Frequency / 1e9));
                }
            }
            catch (EntryPointNotFoundException) { }
            catch (DllNotFoundException) { }
            _native = false;
        }
        return Stopwatch.GetTimestamp();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; this is a blittable call.
    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
#pragma warning restore SYSLIB1054
}
