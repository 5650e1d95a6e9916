using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Dialogs;
using Switchboard.Telephony.Sip;

namespace Switchboard.Voice.Tests;

/// <summary>
/// SIP over TLS (RFC 3261 §26) against the real engine with a certificate made by the test. Debian's sipp is built
/// without OpenSSL (<c>-t l1</c> refuses to start), so a .NET SslStream client plays the caller.
/// </summary>
public sealed class SipTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    private async Task<(VoiceEngine Engine, int TlsPort)> StartAsync(string certPath, string keyPath, string? clientCa = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Tls:Enabled"] = "true",
            ["Sip:Tls:Port"] = "0",
            ["Sip:Tls:CertificatePath"] = certPath,
            ["Sip:Tls:KeyPath"] = keyPath,
        };
        if (clientCa is not null)
        {
            settings["Sip:Tls:RequireClientCertificate"] = "true";
            settings["Sip:Tls:ClientCaPath"] = clientCa;
        }
        var engine = await VoiceEngine.StartAsync(settings);
        var tls = await engine.App.App.Services.GetRequiredService<SipListener>().TlsBound.WaitAsync(TimeSpan.FromSeconds(10));
        return (engine, tls.Port);
    }

    private static List<SipHeader> Headers(TlsSipClient client, string callId, string method, int cseq, string? toTag = null) =>
    [
        new("Via", $"SIP/2.0/TLS 127.0.0.1:{client.Local.Port};branch={SipWriter.NewBranch()};rport"),
        new("Max-Forwards", "70"),
        new("From", "<sip:anonymous@127.0.0.1>;tag=tls1"),
        new("To", toTag is null ? "<sip:1000@127.0.0.1>" : $"<sip:1000@127.0.0.1>;tag={toTag}"),
        new("Call-ID", callId),
        new("CSeq", $"{cseq} {method}"),
        new("Contact", $"<sip:caller@127.0.0.1:{client.Local.Port};transport=tls>"),
    ];

    [Fact]
    public async Task Call_over_tls_is_answered_with_a_tls_contact_established_and_ended()
    {
        var (cert, certPath, keyPath) = _certificates.Create("switchboard-sip");
        var (engine, tlsPort) = await StartAsync(certPath, keyPath);
        await using var _ = engine;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var client = new TlsSipClient();
        await client.ConnectAsync(tlsPort, cert, null, deadline.Token);
        Assert.Equal(cert.Thumbprint, client.ServerCertificate!.Thumbprint);

        var callId = Guid.NewGuid().ToString("n") + "@127.0.0.1";
        var sdp = "v=0\r\no=tls 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\n" +
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
        await client.SendAsync(SipWriter.Request("INVITE", $"sip:1000@127.0.0.1:{tlsPort};transport=tls", Headers(client, callId, "INVITE", 1),
            "application/sdp", Encoding.ASCII.GetBytes(sdp)), deadline.Token);
        var ok = await client.ReceiveAsync(m => !m.IsRequest && m.CSeqMethod == "INVITE" && m.StatusCode >= 200, deadline.Token);
        Assert.NotNull(ok);
        Assert.Equal(200, ok!.StatusCode);
        Assert.Equal($"<sip:switchboard@127.0.0.1:{tlsPort};transport=tls>", ok.Header("Contact"));
        Assert.StartsWith("SIP/2.0/TLS ", ok.Vias[0]);

        await client.SendAsync(SipWriter.Request("ACK", $"sip:switchboard@127.0.0.1:{tlsPort};transport=tls", Headers(client, callId, "ACK", 1, ok.ToTag)), deadline.Token);
        Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(engine.Signaling.StateOf(callId) == CallState.Established)));

        await client.SendAsync(SipWriter.Request("BYE", $"sip:switchboard@127.0.0.1:{tlsPort};transport=tls", Headers(client, callId, "BYE", 2, ok.ToTag)), deadline.Token);
        var byeOk = await client.ReceiveAsync(m => !m.IsRequest && m.CSeqMethod == "BYE", deadline.Token);
        Assert.Equal(200, byeOk!.StatusCode);
        Assert.Null(engine.Signaling.StateOf(callId));
        Assert.Equal(1, engine.Signaling.Counters.RemoteHangups);
    }

    [Fact]
    public async Task Mutual_tls_serves_a_trusted_client_certificate_and_drops_a_client_without_one()
    {
        var (server, certPath, keyPath) = _certificates.Create("switchboard-sip");
        var (sbc, sbcCertPath, _) = _certificates.Create("trusted-sbc");
        var (engine, tlsPort) = await StartAsync(certPath, keyPath, clientCa: sbcCertPath);
        await using var _ = engine;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using (var trusted = new TlsSipClient())
        {
            await trusted.ConnectAsync(tlsPort, server, sbc, deadline.Token);
            var callId = Guid.NewGuid().ToString("n");
            await trusted.SendAsync(SipWriter.Request("OPTIONS", $"sip:1000@127.0.0.1:{tlsPort}", Headers(trusted, callId, "OPTIONS", 1)), deadline.Token);
            var ok = await trusted.ReceiveAsync(m => !m.IsRequest && m.CSeqMethod == "OPTIONS", deadline.Token);
            Assert.Equal(200, ok?.StatusCode);
        }

        await using var anonymous = new TlsSipClient();
        SipMessage? answer = null;
        try
        {
            // With TLS 1.3 the client may finish its side before the server refuses it: then the server closes unread.
            await anonymous.ConnectAsync(tlsPort, server, null, deadline.Token);
            await anonymous.SendAsync(SipWriter.Request("OPTIONS", $"sip:1000@127.0.0.1:{tlsPort}", Headers(anonymous, "no-cert", "OPTIONS", 1)), deadline.Token);
            answer = await anonymous.ReceiveAsync(m => !m.IsRequest, deadline.Token);
        }
        catch (System.Security.Authentication.AuthenticationException) { }
        catch (IOException) { }
        Assert.Null(answer);
        Assert.False(deadline.IsCancellationRequested, "the server should close the connection, not leave it hanging");
    }

    public void Dispose() => _certificates.Dispose();
}
