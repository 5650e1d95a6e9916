using System.Runtime.InteropServices;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// Raises the pacer thread's scheduling priority on Linux, as media servers do: .NET's Thread.Priority is not applied
/// there. Tries SCHED_FIFO (real-time; the thread sleeps between ticks so it cannot starve the machine), then a nice
/// value of -15; needs root or CAP_SYS_NICE and silently keeps the default otherwise.
/// </summary>
public static class PacerThreadPriority
{
    private const int SchedFifo = 1;
    private const long SysGettid = 186; // x86_64

    public static string Raise(bool realtime)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "default";
        try
        {
            var tid = (int)syscall(SysGettid);
            if (realtime)
            {
                var param = new SchedParam { Priority = 10 };
                if (sched_setscheduler(tid, SchedFifo, ref param) == 0) return "SCHED_FIFO 10";
            }
            return setpriority(0, (uint)tid, -15) == 0 ? "nice -15" : "default";
        }
        catch (EntryPointNotFoundException) { return "default"; }
        catch (DllNotFoundException) { return "default"; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; these are blittable calls.
    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref SchedParam param);

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, uint who, int prio);
#pragma warning restore SYSLIB1054
}
