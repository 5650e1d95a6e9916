using System.Runtime.InteropServices;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// Sleeps for less than a millisecond where the platform can: on 64-bit Linux a relative <c>clock_nanosleep</c> on
/// <c>CLOCK_MONOTONIC</c> (the clock <see cref="System.Diagnostics.Stopwatch"/> reads there), which wakes a real-time
/// thread within tens of microseconds. <see cref="Thread.Sleep(int)"/> has millisecond granularity and lasts
/// ~1.05-1.1 ms for <c>Sleep(1)</c> on Linux, so a pacer using it sends each tick's packets up to a millisecond late.
/// Elsewhere, or if the call is refused, it falls back to <c>Thread.Sleep(1)</c>.
/// </summary>
public static class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private static bool _native = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>True while sleeps go through <c>clock_nanosleep</c> (false once it was refused or missing).</summary>
    public static bool IsNative => _native;

    /// <summary>
    /// Sleeps about <paramref name="nanoseconds"/> (never less, unless a signal interrupts the sleep, when it returns
    /// early and the caller's loop measures again). Without the native call, sleeps one millisecond.
    /// </summary>
    public static void Sleep(long nanoseconds)
    {
        if (nanoseconds <= 0) return;
        if (_native)
        {
            try
            {
                var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
                var error = clock_nanosleep(ClockMonotonic, 0, ref request, IntPtr.Zero);
                if (error == 0 || error == Eintr) return;
            }
            catch (EntryPointNotFoundException) { }
            catch (DllNotFoundException) { }
            _native = false;
        }
        Thread.Sleep(1);
    }

    private const int Eintr = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; a blittable call.
    /// <summary>Returns 0 or an error number itself (it does not set errno).</summary>
    [DllImport("libc")]
    private static extern int clock_nanosleep(int clockId, int flags, ref TimeSpec request, IntPtr remain);
#pragma warning restore SYSLIB1054
}
