using System.Runtime.InteropServices;

namespace Switchboard.TestSupport;

/// <summary>POSIX signals to a process: .NET's Process.Kill only sends SIGKILL, a graceful stop needs SIGTERM.</summary>
public static class Signals
{
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>True when the signal was delivered.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;
}
