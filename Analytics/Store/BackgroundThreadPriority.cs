using System.Runtime.InteropServices;

namespace Switchboard.Analytics.Store;

/// <summary>
/// Lowers the calling thread's scheduling priority on Linux (nice +10 over the process's own), so the writer's once-a-second commit yields the
/// CPU to turns whenever both want it: on two cores a commit of ten thousand events otherwise takes a core from the
/// webhooks for tens of milliseconds, which shows in their reply p99. .NET's <c>Thread.Priority</c> is not applied on
/// Linux, hence setpriority on the thread id. Lowering a priority needs no privilege; anywhere else this does nothing.
/// A thread created by a lowered thread inherits its nice value, and the thread pool starts workers on the thread that
/// asks for one: a lowered thread must therefore never complete a task others await or queue work to the pool.
/// </summary>
public static class BackgroundThreadPriority
{
    public const int Nice = 10;
    private const long SysGettid = 186; // x86_64

    /// <summary>Returns what was applied ("nice +10" or "default"), for the start-up log.</summary>
    public static string Lower()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "default";
        try
        {
            var tid = (int)syscall(SysGettid);
            var target = Math.Min(19, (Current() ?? 0) + Nice); // relative to what the process was started with
            return setpriority(0, (uint)tid, target) == 0 ? $"nice +{Nice}" : "default";
        }
        catch (EntryPointNotFoundException) { return "default"; }
        catch (DllNotFoundException) { return "default"; }
    }

    /// <summary>The calling thread's nice value as the kernel reports it (tests read it back).</summary>
    public static int? Current()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        var tid = (int)syscall(SysGettid);
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        // Field 19 is nice; fields after the parenthesised command name are space-separated.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; these are blittable calls.
    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number);

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, uint who, int prio);
#pragma warning restore SYSLIB1054
}
