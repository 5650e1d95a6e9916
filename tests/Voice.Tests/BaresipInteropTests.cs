using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Dialogs;
using Switchboard.TestSupport;

namespace Switchboard.Voice.Tests;

/// <summary>
/// Interop with a real softphone: Debian's baresip calls the engine over SIP over TLS with SRTP mandatory (SDES), and
/// records what it hears. baresip is configured from the test in a scratch folder and talks to loopback only.
/// </summary>
public sealed class BaresipInteropTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    [Fact]
    public async Task Baresip_calls_over_tls_with_mandatory_srtp_and_records_the_agents_audio()
    {
        var trunk = _certificates.EncryptedTrunkSettings(rtpBase: 37_000);
        await using var app = await SiloApp.StartAsync(trunk.Settings);
        var services = app.App.Services;
        var tlsPort = (await services.GetRequiredService<SipListener>().TlsBound.WaitAsync(TimeSpan.FromSeconds(10))).Port;
        var signaling = services.GetRequiredService<VoiceSignaling>();

        var home = Path.Combine(_certificates.Folder, "baresip");
        var recordings = Directory.CreateDirectory(Path.Combine(home, "recordings")).FullName;
        WriteBaresipConfig(home, trunk.CertPath, recordings, FreePort.Udp(), trunk.RtpPortMin + 400);
        using var baresip = Process.Start(new ProcessStartInfo("baresip", ["-f", home, "-e", $"/dial sip:1000@127.0.0.1:{tlsPort};transport=tls", "-t", "40"])
        {
            WorkingDirectory = home,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        })!;
        var output = new System.Text.StringBuilder();
        baresip.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        baresip.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        baresip.BeginOutputReadLine();
        baresip.BeginErrorReadLine();
        string Log() { lock (output) return output.ToString(); }

        try
        {
            Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(signaling.CallIds.Any(id => signaling.StateOf(id) == CallState.Established)),
                TimeSpan.FromSeconds(20)), "baresip's call was not established:\n" + Log());
            var callId = signaling.CallIds.Single();

            // What baresip decoded from our SRTP is dumped by its sndfile module: the greeting's tone must be in it.
            Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(PeakOfDecodedDump(recordings) > 3000), TimeSpan.FromSeconds(20)),
                $"no audible audio in baresip's recording (peak {PeakOfDecodedDump(recordings)}):\n" + Log());

            Assert.Contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)", Log());

            // Our BYE over the TLS connection ends baresip's session (libre reports a BYE as "Connection reset by peer").
            Assert.True(await signaling.HangUpAsync(callId));
            Assert.True(await VoiceEngine.EventuallyAsync(() => Task.FromResult(Log().Contains("session closed", StringComparison.Ordinal))),
                "baresip did not see the BYE:\n" + Log());
            Assert.Equal(0, signaling.ActiveCalls);
        }
        finally
        {
            if (!baresip.HasExited) baresip.Kill(entireProcessTree: true);
            await baresip.WaitForExitAsync();
        }
    }

    /// <summary>The loudest sample in baresip's dump of decoded (received) audio, 16-bit PCM after the 44-byte WAV header.</summary>
    private static int PeakOfDecodedDump(string folder)
    {
        var peak = 0;
        foreach (var file in Directory.GetFiles(folder, "dump-*-dec.wav"))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            catch (IOException) { continue; }
            for (var i = 44; i + 1 < bytes.Length; i += 2) peak = Math.Max(peak, Math.Abs((int)BitConverter.ToInt16(bytes, i)));
        }
        return peak;
    }

    private static void WriteBaresipConfig(string home, string serverCertificate, string recordings, int sipPort, int rtpPort)
    {
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{sipPort}
            sip_cafile		{serverCertificate}
            audio_player		aubridge,switchboard
            audio_source		aubridge,switchboard
            audio_alert		aubridge,switchboard
            audio_srate		8000
            audio_channels		1
            rtp_ports		{rtpPort}-{rtpPort + 20}
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module			aubridge.so
            module			sndfile.so
            module			srtp.so
            module_app		account.so
            module_app		menu.so
            snd_path		{recordings}
            """);
        // One account, no registration, SRTP with SDES mandatory, PCMU only.
        File.WriteAllText(Path.Combine(home, "accounts"),
            "<sip:caller@127.0.0.1;transport=tls>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU/8000/1\n");
        File.WriteAllText(Path.Combine(home, "contacts"), "");
    }

    public void Dispose() => _certificates.Dispose();
}
