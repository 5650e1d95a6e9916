using System.Text;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// The customer's phone behind the SBC for a call the engine places: sipp as UAS on <c>Sip:SbcAddress</c> receives the
/// INVITE (its Request-URI and SDP offer are checked and logged), answers 200 with PCMU, gets the ACK, optionally speaks
/// (pcap files with pauses between them), and waits for the engine's BYE. sipp runs as root (raw socket for pcap play).
/// </summary>
public sealed class SippCallee
{
    private readonly SippScript _script = new("agent-callee-");

    public SippCallee Pause(TimeSpan duration)
    {
        _script.Pause(duration);
        return this;
    }

    /// <summary>
    /// Starts a pcap towards the engine's media address from the INVITE's SDP. It does not wait for the end: the engine
    /// may answer and the test hang up while the tail is still playing, and a BYE during a pause would be unexpected.
    /// </summary>
    public SippCallee Play(RtpPcapWriter pcap)
    {
        _script.Play(pcap);
        return this;
    }

    /// <summary>Runs until the call ends (or <paramref name="timeout"/>); <paramref name="port"/> is the SBC port the engine dials.</summary>
    public Task<SippResult> RunAsync(int port, TimeSpan? timeout = null) =>
        _script.RunAsync(Scenario(), mediaPort => $"-i 127.0.0.1 -p {port} -mp {mediaPort} -m 1", timeout);

    private string Scenario()
    {
        var sb = new StringBuilder(AnswerSteps("proactive call callee"));
        _script.AppendSteps(sb);
        sb.Append(SippScript.EndedByEngine);
        return sb.ToString();
    }

    /// <summary>
    /// The start of a callee scenario: receive the engine's INVITE (Request-URI and SDP offer checked and logged), 180,
    /// 200 with PCMU and telephone-event, then the ACK. Other callee scenarios continue from here.
    /// </summary>
    public static string AnswerSteps(string name) => $"""
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <!DOCTYPE scenario SYSTEM "sipp.dtd">
            <scenario name="{name}">
              <recv request="INVITE" crlf="true">
                <action>
                  <ereg regexp="INVITE ([^ ]*) SIP/2.0" search_in="msg" check_it="true" assign_to="line,ruri"/>
                  <ereg regexp="m=audio [0-9]+ RTP/AVP [0-9 ]+" search_in="body" check_it="true" assign_to="offer"/>
                  <log message="invite: [$ruri]"/>
                  <log message="request line: [$line]"/>
                  <log message="offer: [$offer]"/>
                </action>
              </recv>
              <send>
                <![CDATA[

                  SIP/2.0 180 Ringing
                  [last_Via:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag01[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                  Content-Length: 0

                ]]>
              </send>
              <send retrans="500">
                <![CDATA[

                  SIP/2.0 200 OK
                  [last_Via:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag01[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                  Content-Type: application/sdp
                  Content-Length: [len]

                  v=0
                  o=callee 53655765 2353687637 IN IP[local_ip_type] [local_ip]
                  s=-
                  c=IN IP[media_ip_type] [media_ip]
                  t=0 0
                  m=audio [media_port] RTP/AVP 0 101
                  a=rtpmap:0 PCMU/8000
                  a=rtpmap:101 telephone-event/8000
                  a=fmtp:101 0-16
                  a=ptime:20

                ]]>
              </send>
              <recv request="ACK" crlf="true"/>

            """;
}
