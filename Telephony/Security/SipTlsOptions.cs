namespace Switchboard.Telephony.Security;

/// <summary>Section <c>Sip:Tls</c>: SIP over TLS on its own port, the server certificate, and optional mutual TLS.</summary>
public sealed class SipTlsOptions
{
    public bool Enabled { get; set; }
    /// <summary>TLS listening port; 0 picks a free one (<c>SipListener.TlsBound</c>).</summary>
    public int Port { get; set; } = 5061;
    /// <summary>The server certificate: a PEM file (with <see cref="KeyPath"/>, or the key in the same file) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }
    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }
    /// <summary>Password of a PKCS#12 file or an encrypted PEM key.</summary>
    public string? Password { get; set; }
    /// <summary>Mutual TLS: a client certificate is required and must chain to <see cref="ClientCaPath"/>.</summary>
    public bool RequireClientCertificate { get; set; }
    /// <summary>PEM bundle of the certificate authorities (or self-signed certificates) trusted for client certificates.</summary>
    public string? ClientCaPath { get; set; }
}
