using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Outbox;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Telephony.Media;
using Switchboard.Telephony.Rtp;
using Switchboard.Telephony.Security;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice;

public static class VoiceExtensions
{
    /// <summary>
    /// The voice channel: SIP listener (section <c>Sip</c>), RTP media, the DTMF dialog through the engine, and
    /// <see cref="IVoiceCalls"/> for outbound calls and transfers. Register an <see cref="IPromptAudio"/>,
    /// <see cref="IVoiceReplyRenderer"/> or <see cref="ICallMediaHandlerFactory"/> before this to replace the defaults.
    /// </summary>
    public static WebApplicationBuilder AddVoice(this WebApplicationBuilder builder)
    {
        var options = new VoiceOptions();
        builder.Configuration.GetSection(VoiceOptions.Section).Bind(options);
        Validate(options);
        var services = builder.Services;
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        // Calls route by the number dialled; a gateway without the silo loads the tenants itself (the silo's when co-hosted).
        services.AddTenantDirectory(builder.Configuration);
        services.TryAddSingleton<IPromptAudio>(sp => new WavPromptAudio(options.PromptsPath, sp.GetRequiredService<ILogger<WavPromptAudio>>()));
        services.TryAddSingleton<IVoiceReplyRenderer, VoiceReplyText>();
        services.AddSingleton(sp => new TrunkGuard(options.TrunkPolicy(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new RtpPortPool(System.Net.IPAddress.Parse(options.ListenAddress), options.RtpPortMin, options.RtpPortMax));
        services.AddSingleton(_ => new MediaPacer(options.RealtimePacer));
        services.AddSingleton(sp => new CallConversationServices(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IPromptAudio>(),
            sp.GetRequiredService<IVoiceReplyRenderer>(),
            sp.GetService<ICallMediaHandlerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromMilliseconds(options.InterDigitTimeoutMs),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Channels.Voice.Calls"),
            sp.GetService<WrittenConfirmations>(),
            Analytics: sp.GetService<Grains.Interfaces.Analytics.IInteractionEvents>(),
            Turns: sp.GetService<Switchboard.Channels.Common.TurnCalls>()));
        services.AddSingleton(sp => new VoiceSignaling(options, sp.GetRequiredService<TrunkGuard>(), sp.GetRequiredService<RtpPortPool>(),
            sp.GetRequiredService<MediaPacer>(), sp.GetRequiredService<TenantDirectory>(), sp.GetRequiredService<CallConversationServices>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<VoiceSignaling>>(),
            sp.GetKeyedService<System.Threading.RateLimiting.RateLimiter>(InboundCalls.AdmissionKey)));
        services.AddSingleton<IVoiceCalls>(sp => sp.GetRequiredService<VoiceSignaling>());
        services.AddSingleton<SipListener>();
        if (options.Enabled) services.AddHostedService(sp => sp.GetRequiredService<SipListener>());
        return builder;
    }

    private static void Validate(VoiceOptions o)
    {
        if (!System.Net.IPAddress.TryParse(o.ListenAddress, out _)) throw new InvalidOperationException("Sip:ListenAddress must be an IP address.");
        if (!System.Net.IPAddress.TryParse(o.Advertised, out _)) throw new InvalidOperationException("Sip:AdvertisedAddress must be an IP address.");
        if (o.Port is < 0 or > 65535) throw new InvalidOperationException("Sip:Port must be 0-65535.");
        if (o.RtpPortMin is < 1024 or > 65534 || o.RtpPortMax <= o.RtpPortMin || o.RtpPortMax > 65535)
            throw new InvalidOperationException("Sip:RtpPortMin/RtpPortMax must be a range within 1024-65535.");
        if (o.AnswerDelayMs is < 0 or > 60_000) throw new InvalidOperationException("Sip:AnswerDelayMs must be 0-60000.");
        if (o.InterDigitTimeoutMs is < 100 or > 60_000) throw new InvalidOperationException("Sip:InterDigitTimeoutMs must be 100-60000.");
        if (o.Tls.Enabled)
        {
            if (o.Tls.Port is < 0 or > 65535) throw new InvalidOperationException("Sip:Tls:Port must be 0-65535.");
            if (string.IsNullOrWhiteSpace(o.Tls.CertificatePath) || !File.Exists(o.Tls.CertificatePath))
                throw new InvalidOperationException("Sip:Tls:CertificatePath must name the server certificate (PEM or PKCS#12).");
            if (o.Tls.RequireClientCertificate && (string.IsNullOrWhiteSpace(o.Tls.ClientCaPath) || !File.Exists(o.Tls.ClientCaPath)))
                throw new InvalidOperationException("Sip:Tls:RequireClientCertificate needs Sip:Tls:ClientCaPath (PEM of the trusted client CAs).");
        }
        if (o.MinSessionExpiresSeconds < 90 || o.SessionExpiresSeconds < o.MinSessionExpiresSeconds)
            throw new InvalidOperationException("Sip:MinSessionExpiresSeconds must be at least 90 and Sip:SessionExpiresSeconds at least that.");
        foreach (var a in o.DigestAlgorithms)
            if (a is not ("MD5" or "SHA-256")) throw new InvalidOperationException("Sip:DigestAlgorithms may list MD5 and SHA-256.");
        foreach (var c in o.Credentials)
            if (string.IsNullOrEmpty(c.Username) || string.IsNullOrEmpty(c.Password))
                throw new InvalidOperationException("Sip:Credentials entries need Username and Password.");
    }
}
