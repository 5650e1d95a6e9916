using System.Net;
using System.Net.Sockets;
using Switchboard.Telephony.Rtp;
using Xunit;

namespace Switchboard.Telephony.Tests;

public sealed class RuntimeThreadPriorityTests
{
    [Fact]
    public async Task Raise_renices_the_socket_engine_thread_to_minus_15_when_allowed()
    {
        if (!OperatingSystem.IsLinux()) return;
        // One async receive makes the runtime start its socket engine thread (".NET Sockets").
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var receive = receiver.ReceiveFromAsync(new byte[16], SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
        sender.SendTo(new byte[] { 1 }, receiver.LocalEndPoint!);
        await receive.WaitAsync(TimeSpan.FromSeconds(30));

        var raised = RuntimeThreadPriority.Raise();

        // Threads come and go while the folder is read (a thread-pool thread retiring): a vanished one is skipped.
        var engine = Directory.EnumerateDirectories("/proc/self/task")
            .Where(t => ReadOrNull(Path.Combine(t, "comm"))?.StartsWith(".NET Sockets", StringComparison.Ordinal) == true)
            .Select(NiceOf).ToList();
        Assert.NotEmpty(engine);
        if (Environment.IsPrivilegedProcess)
        {
            Assert.True(raised >= engine.Count, $"raised {raised} threads");
            Assert.All(engine, nice => Assert.Equal(-15, nice));
        }
        else Assert.Equal(0, raised);
    }

    private static string? ReadOrNull(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
    }

    /// <summary>Field 19 of /proc/.../stat (the name in parentheses may hold spaces, so count after its ')').</summary>
    private static int NiceOf(string task)
    {
        var stat = File.ReadAllText(Path.Combine(task, "stat"));
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16]);
    }
}
