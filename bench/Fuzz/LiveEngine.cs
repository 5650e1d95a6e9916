using System.Net;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Fuzz;

/// <summary>The engine as its own process on loopback, configured for every live campaign: SIP on a known port, all three webhooks signed with known secrets.</summary>
public sealed class LiveEngine : IAsyncDisposable
{
    public const string AppSecret = "live-fuzz-app-secret";
    public const string SmsToken = "live-fuzz-sms-token";
    public const string RcsToken = "live-fuzz-rcs-token";

    private readonly TempDirectory _store;

    private LiveEngine(EngineProcess process, TempDirectory store, int sipPort, string smsUrl)
    {
        _store = store;
        Process = process;
        SipPort = sipPort;
        SmsUrl = smsUrl;
    }

    public EngineProcess Process { get; }
    public int SipPort { get; }
    public IPEndPoint Sip => new(IPAddress.Loopback, SipPort);
    public string SmsUrl { get; }

    public static async Task<LiveEngine> StartAsync(int rtpBase)
    {
        var sipPort = FreePort.Tcp();
        var store = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Port"] = sipPort.ToString(),
            ["Sip:RtpPortMin"] = rtpBase.ToString(),
            ["Sip:RtpPortMax"] = (rtpBase + 199).ToString(),
            ["Speech:Recognizer"] = "none",
            ["Speech:Synthesizer"] = "none",
            ["WhatsApp:AppSecret"] = AppSecret,
            ["Sms:AuthToken"] = SmsToken,
            ["Rcs:ClientToken"] = RcsToken,
            ["Storage:AllowGeneratedKey"] = "true",
            ["Logging:LogLevel:Default"] = "Error",
        };
        var process = await EngineProcess.StartAsync(store.Path, settings);
        return new LiveEngine(process, store, sipPort, new Uri(process.BaseAddress, "webhooks/sms").ToString());
    }

    public bool Alive
    {
        get
        {
            try { return !System.Diagnostics.Process.GetProcessById(Process.ProcessId).HasExited; }
            catch (ArgumentException) { return false; }
        }
    }

    /// <summary>The engine's peak resident memory (VmHWM), in MB.</summary>
    public double PeakMemoryMb()
    {
        var line = File.ReadLines($"/proc/{Process.ProcessId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _store.Dispose();
    }
}
