using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Telephony.Security;

/// <summary>
/// Builds the TLS server side of SIP over TLS from configuration: the certificate (PEM or PKCS#12), TLS 1.2/1.3 only,
/// and for mutual TLS a client certificate that must chain to the configured authorities (not the system store).
/// </summary>
public static class SipTlsCertificates
{
    public static SslServerAuthenticationOptions ServerOptions(SipTlsOptions tls)
    {
        var certificate = LoadServerCertificate(tls);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = tls.RequireClientCertificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (tls.RequireClientCertificate)
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPemFile(tls.ClientCaPath!);
            options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && ChainsTo(new X509Certificate2(cert), anchors);
        }
        return options;
    }

    /// <summary>True when <paramref name="client"/> chains to one of <paramref name="anchors"/> (custom trust, no revocation lookups).</summary>
    public static bool ChainsTo(X509Certificate2 client, X509Certificate2Collection anchors)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }

    private static X509Certificate2 LoadServerCertificate(SipTlsOptions tls)
    {
        var path = tls.CertificatePath!;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
        var pem = string.IsNullOrEmpty(tls.Password)
            ? X509Certificate2.CreateFromPemFile(path, tls.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, tls.KeyPath);
        // An ephemeral PEM key cannot be used by SslStream on every platform: round-trip it through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
