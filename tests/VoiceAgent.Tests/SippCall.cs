using System.Diagnostics;
using System.Text;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>The outcome of one sipp run: exit code 0 means the call passed the scenario.</summary>
public sealed record SippResult(int ExitCode, string Output, string Errors)
{
    /// <summary>What the scenario's <c>&lt;log&gt;</c> actions wrote (sipp's <c>-trace_logs</c> file).</summary>
    public string Logs { get; init; } = "";

    public override string ToString() => $"sipp exit {ExitCode}\n--- stdout ---\n{Output}\n--- errors ---\n{Errors}\n--- logs ---\n{Logs}";
}

/// <summary>
/// One caller, scripted: sipp dials the engine from <c>caller</c>, then plays pcap files (speech and keys) with pauses
/// between them, then hangs up. The scenario is written for each test; sipp runs as root (raw socket for pcap play).
/// </summary>
public sealed class SippCall
{
    private readonly SippScript _script = new("agent-sipp-");
    private string _ending = HangUp;

    /// <summary>
    /// Instead of hanging up, the caller waits for the engine's REFER (blind transfer), logs its Refer-To URI, accepts
    /// it (202), reports the transfer succeeded (NOTIFY with "SIP/2.0 200 OK") and expects the engine's BYE.
    /// </summary>
    public SippCall ExpectTransfer()
    {
        _ending = Transfer("SIP/2.0 200 OK");
        return this;
    }

    /// <summary>
    /// The caller's side accepts the REFER (202) but the agent's line is busy: its NOTIFY reports "SIP/2.0 486 Busy Here"
    /// and it expects the engine to carry on with the caller (an apology) and end the call with BYE.
    /// </summary>
    public SippCall TransferReachesBusyAgent()
    {
        _ending = Transfer("SIP/2.0 486 Busy Here");
        return this;
    }

    /// <summary>
    /// The caller's side does not do transfers: it logs the REFER's Refer-To URI, answers 603 Decline, and expects the
    /// engine to end the call with BYE.
    /// </summary>
    public SippCall RefuseTransfer()
    {
        _ending = RefusedTransfer;
        return this;
    }

    public SippCall Pause(TimeSpan duration)
    {
        _script.Pause(duration);
        return this;
    }

    /// <summary>Plays a pcap and waits for it to finish (play_pcap_audio itself does not block).</summary>
    public SippCall Play(RtpPcapWriter pcap)
    {
        _script.Play(pcap);
        return Pause(pcap.Duration + TimeSpan.FromMilliseconds(100));
    }

    /// <param name="service">The number dialled: 1000 reaches the airline tenant, 2000 the auto service (Silo/appsettings.json).</param>
    public Task<SippResult> RunAsync(int serverPort, string caller, TimeSpan? timeout = null, string service = "1000")
    {
        var localPort = Switchboard.TestSupport.FreePort.Udp();
        return _script.RunAsync(Scenario(caller),
            mediaPort => $"127.0.0.1:{serverPort} -s {service} -i 127.0.0.1 -p {localPort} -mp {mediaPort} -m 1 -l 1 -recv_timeout 20000", timeout);
    }

    private string Scenario(string caller)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <!DOCTYPE scenario SYSTEM "sipp.dtd">
            <scenario name="voice agent caller">
              <send retrans="500" start_txn="invite">
                <![CDATA[

                  INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
                  From: "caller" <sip:CALLER@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>
                  Call-ID: [call_id]
                  CSeq: 1 INVITE
                  Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
                  Max-Forwards: 70
                  Content-Type: application/sdp
                  Content-Length: [len]

                  v=0
                  o=caller [pid][call_number] 1 IN IP[local_ip_type] [local_ip]
                  s=caller
                  c=IN IP[media_ip_type] [media_ip]
                  t=0 0
                  m=audio [auto_media_port] RTP/AVP 0 101
                  a=rtpmap:0 PCMU/8000
                  a=rtpmap:101 telephone-event/8000
                  a=fmtp:101 0-16
                  a=ptime:20
                  a=sendrecv

                ]]>
              </send>
              <recv response="100" optional="true" response_txn="invite"/>
              <recv response="180" optional="true" response_txn="invite"/>
              <recv response="200" rrs="true" response_txn="invite"/>
              <send ack_txn="invite">
                <![CDATA[

                  ACK [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
                  [routes]
                  From: "caller" <sip:CALLER@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 1 ACK
                  Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>

            """.Replace("CALLER", caller, StringComparison.Ordinal));
        _script.AppendSteps(sb);
        sb.Append(_ending);
        return sb.ToString().Replace("CALLER", caller, StringComparison.Ordinal);
    }

    private const string HangUp = """
              <send retrans="500" start_txn="bye">
                <![CDATA[

                  BYE [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
                  [routes]
                  From: "caller" <sip:CALLER@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 2 BYE
                  Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <recv response="200" crlf="true" response_txn="bye"/>
            </scenario>

            """;

    private static string RefusedTransfer => ReferReceived + SippScript.Answer("603 Decline") + SippScript.EndedByEngine;

    // RFC 3515 seen from the transferred caller. The REFER arrives after the handoff line has been spoken; the NOTIFY's
    // sipfrag reports how the call to the agent went.
    private static string Transfer(string sipfrag) => ReferReceived + SippScript.Answer("202 Accepted") + $$"""
              <send retrans="500" start_txn="notify">
                <![CDATA[

                  NOTIFY [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
                  [routes]
                  From: "caller" <sip:CALLER@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 3 NOTIFY
                  Event: refer
                  Subscription-State: terminated;reason=noresource
                  Max-Forwards: 70
                  Content-Type: message/sipfrag
                  Content-Length: [len]

                  {{sipfrag}}
                ]]>
              </send>
              <recv response="200" response_txn="notify"/>

            """ + SippScript.EndedByEngine;

    /// <summary>The engine's REFER, its Refer-To URI logged (<c>refer-to: …</c> in <see cref="SippResult.Logs"/>).</summary>
    private const string ReferReceived = """
              <recv request="REFER" timeout="60000">
                <action>
                  <ereg regexp="&lt;([^>]*)>" search_in="hdr" header="Refer-To:" check_it="true" assign_to="referto,target"/>
                  <log message="refer-to: [$target]"/>
                  <log message="refer-to header: [$referto]"/>
                </action>
              </recv>

            """;
}

/// <summary>
/// What the sipp caller and callee share: the scenario's steps (pauses, pcap plays) and its folder, a media port per
/// run, the run itself (exit code, the end of its screen, its error and <c>&lt;log&gt;</c> files), and XML pieces.
/// </summary>
public sealed class SippScript(string folderPrefix)
{
    private static int _nextMediaPort = 36_000 + Random.Shared.Next(0, 100) * 40;
    private readonly List<string> _steps = [];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory(folderPrefix);
    private int _files;

    public void Pause(TimeSpan duration) => _steps.Add($"<pause milliseconds=\"{(int)duration.TotalMilliseconds}\"/>");

    /// <summary>Starts a pcap (play_pcap_audio does not block: add a pause to wait for it).</summary>
    public void Play(RtpPcapWriter pcap)
    {
        var path = Path.Combine(_dir.FullName, $"media{_files++}.pcap");
        pcap.Save(path);
        _steps.Add($"<nop><action><exec play_pcap_audio=\"{path}\"/></action></nop>");
    }

    public void AppendSteps(StringBuilder scenario)
    {
        foreach (var step in _steps) scenario.Append("  ").Append(step).Append('\n');
    }

    /// <summary>Writes the scenario as <c>scenario.xml</c>, runs sipp with <paramref name="args"/> (given the media port) and deletes the folder.</summary>
    public async Task<SippResult> RunAsync(string scenario, Func<int, string> args, TimeSpan? timeout)
    {
        try
        {
            await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "scenario.xml"), scenario);
            var mediaPort = Interlocked.Add(ref _nextMediaPort, 8);
            var psi = new ProcessStartInfo("sipp", "-sf scenario.xml " + args(mediaPort) + " -timeout 90s -timeout_error -trace_err -trace_logs -nostdin")
            {
                WorkingDirectory = _dir.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            var errors = string.Join("\n", Directory.GetFiles(_dir.FullName, "*_errors.log").Select(File.ReadAllText));
            var logs = string.Join("\n", Directory.GetFiles(_dir.FullName, "*_logs.log").Select(File.ReadAllText));
            var output = await stdout;
            return new SippResult(process.ExitCode, output.Length > 3000 ? output[^3000..] : output, await stderr + errors) { Logs = logs };
        }
        finally
        {
            try { _dir.Delete(true); } catch (IOException) { }
        }
    }

    /// <summary>A response to the request just received.</summary>
    public static string Answer(string status) => $$"""
              <send>
                <![CDATA[

                  SIP/2.0 {{status}}
                  [last_Via:]
                  [last_From:]
                  [last_To:]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Content-Length: 0

                ]]>
              </send>

            """;

    /// <summary>The engine ends the call: its BYE is answered and the scenario is over.</summary>
    public static string EndedByEngine => """
              <recv request="BYE" timeout="60000"/>

            """ + Answer("200 OK") + """
            </scenario>

            """;
}
