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
    private static readonly byte[][] Names = [".NET Server GC"u8.ToArray(), ".NET BGC"u8.ToArray(), ".NET Sockets"u8.ToArray()];

    /// <summary>Renices the runtime threads that exist now; returns how many were raised (call again later for new ones).</summary>
    public static int Raise()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task")) return 0;
        var raised = 0;
        Span<byte> comm = stackalloc byte[32];
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // The name read into a stack buffer (File.ReadAllText made a reader and its buffers per thread, ~1 MB per scan
            // of a silo's ~100 threads, every 30 s).
            int length;
            try
            {
                using var handle = File.OpenHandle(task + "/comm");
                length = RandomAccess.Read(handle, comm, 0);
            }
            catch (IOException) { continue; } // the thread ended
            catch (UnauthorizedAccessException) { continue; }
            var name = comm[..length];
            var wanted = false;
            foreach (var n in Names) wanted |= name.StartsWith(n);
            if (!wanted || !uint.TryParse(Path.GetFileName(task.AsSpan()), out var tid)) continue;
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
