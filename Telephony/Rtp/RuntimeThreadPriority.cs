using System.Runtime.InteropServices;

namespace Switchboard.Telephony.Rtp;

/// <summary>
/// Raises the runtime's own threads that every call waits on: the server GC threads (".NET Server GC", ".NET BGC") and
/// the socket engine's epoll thread (".NET Sockets"). On a loaded Linux box a GC suspends the whole process while its
/// threads compete with every other runnable thread at the default nice value; measured with 1,000 calls at load ~30,
/// gen0 pauses of 150–270 ms were mostly that wait (docs/voice.md). Nice -15, never SCHED_FIFO; needs root or
/// CAP_SYS_NICE and does nothing otherwise. Linux only (threads found by name under <c>/proc/self/task</c>).
/// </summary>
public static class RuntimeThreadPriority
{
    private static readonly string[] Names = [".NET Server GC", ".NET BGC", ".NET Sockets"];

    /// <summary>Renices the runtime threads that exist now; returns how many were raised (call again later for new ones).</summary>
    public static int Raise()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task")) return 0;
        var raised = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string name;
            try { name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'); }
            catch (IOException) { continue; } // the thread ended
            if (!Names.Any(n => name.StartsWith(n, StringComparison.Ordinal)) || !uint.TryParse(Path.GetFileName(task), out var tid)) continue;
            try
            {
                if (setpriority(0, tid, -15) == 0) raised++;
            }
            catch (EntryPointNotFoundException) { return raised; }
            catch (DllNotFoundException) { return raised; }
        }
        return raised;
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; a blittable call.
    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, uint who, int prio);
#pragma warning restore SYSLIB1054
}
