using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Voice.Tests;

/// <summary>Self-signed test certificates made with CertificateRequest and written as PEM to a scratch folder.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sip-tls-");

    public string Folder => _dir.FullName;

    /// <summary>A self-signed certificate for <paramref name="subject"/> (server and client auth, SAN 127.0.0.1) with its PEM files.</summary>
    public (X509Certificate2 Certificate, string CertPath, string KeyPath) Create(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        var certPath = Path.Combine(Folder, subject + ".crt");
        var keyPath = Path.Combine(Folder, subject + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        // SslStream wants a certificate whose key it can use: round-trip through PKCS#12.
        var usable = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        return (usable, certPath, keyPath);
    }

    /// <summary>
    /// Engine settings for a loopback trunk that must use SIP over TLS and SRTP: a fresh server certificate, an RTP port
    /// range starting at <paramref name="rtpBase"/> (plus a random offset, so parallel test classes do not collide), no speech.
    /// </summary>
    public EncryptedTrunk EncryptedTrunkSettings(int rtpBase)
    {
        var (cert, certPath, keyPath) = Create("switchboard-sip");
        var rtp = rtpBase + Random.Shared.Next(0, 20) * 200;
        return new(new()
        {
            ["Sip:Port"] = "0",
            ["Speech:Recognizer"] = "none",
            ["Speech:Synthesizer"] = "none",
            ["Sip:RtpPortMin"] = rtp.ToString(),
            ["Sip:RtpPortMax"] = (rtp + 199).ToString(),
            ["Sip:Tls:Enabled"] = "true",
            ["Sip:Tls:Port"] = "0",
            ["Sip:Tls:CertificatePath"] = certPath,
            ["Sip:Tls:KeyPath"] = keyPath,
            // Loopback is an encrypted trunk here: a call only gets through with TLS and SRTP.
            ["Sip:EncryptedTrunks:0"] = "127.0.0.1",
        }, cert, certPath, rtp);
    }

    public void Dispose()
    {
        try { _dir.Delete(true); } catch (IOException) { }
    }
}

/// <summary>An encrypted-trunk engine's settings, its server certificate (and PEM path) and the first RTP port it uses.</summary>
public sealed record EncryptedTrunk(Dictionary<string, string?> Settings, X509Certificate2 Certificate, string CertPath, int RtpPortMin);
