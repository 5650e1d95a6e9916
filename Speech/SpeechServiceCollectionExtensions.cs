using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Telephony.Media;
using Switchboard.Speech.EspeakNg;
using Switchboard.Speech.Flite;
using Switchboard.Speech.Network;
using Switchboard.Speech.PocketSphinx;
using Switchboard.Speech.TurnTaking;
using Switchboard.Speech.Vad;

namespace Switchboard.Speech;

public static class SpeechServiceCollectionExtensions
{
    /// <summary>
    /// Registers speech for the voice channel from section <c>Speech</c>: <see cref="ISpeechToText"/>,
    /// <see cref="ITextToSpeech"/>, the prompt cache, <see cref="SpeechAvailability"/>, turn-taking options, and
    /// <see cref="TtsPromptAudio"/> as the <see cref="IPromptAudio"/> when synthesis is available (otherwise an
    /// <see cref="IPromptAudio"/> registered before, e.g. recorded prompts, stays). Decoders warm up in the background.
    /// </summary>
    public static IHostApplicationBuilder AddSpeech(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        var options = config.GetSection(SpeechOptions.Section).Get<SpeechOptions>() ?? new SpeechOptions();
        var sphinx = config.GetSection(PocketSphinxOptions.Section).Get<PocketSphinxOptions>() ?? new PocketSphinxOptions();
        var espeak = config.GetSection(EspeakNgOptions.Section).Get<EspeakNgOptions>() ?? new EspeakNgOptions();
        var flite = config.GetSection(FliteOptions.Section).Get<FliteOptions>() ?? new FliteOptions();
        var turnTaking = config.GetSection(TurnTakingOptions.Section).Get<TurnTakingOptions>() ?? new TurnTakingOptions();

        services.AddSingleton(options);
        services.AddSingleton(sphinx);
        services.AddSingleton(espeak);
        services.AddSingleton(flite);
        services.AddSingleton(turnTaking);
        services.AddSingleton(new SynthesizedPromptCache(Math.Max(1, options.PromptCacheSeconds) * 8000L));

        var network = config.GetSection(NetworkSpeechOptions.Section).Get<NetworkSpeechOptions>() ?? new NetworkSpeechOptions();
        network.Validate();
        services.AddSingleton(network);

        // The embedded engines; a speech server in the customer's network (Speech:Network), when configured, works in
        // front of them and hands back to them when it fails or is slow.
        services.AddSingleton<ISpeechToText>(sp =>
        {
            ISpeechToText embedded = options.Recognizer.ToLowerInvariant() switch
            {
                "pocketsphinx" => ActivatorUtilities.CreateInstance<PocketSphinxSpeechToText>(sp),
                "none" => new NoSpeechToText("speech recognition is configured off (Speech:Recognizer = none)"),
                var other => throw new InvalidOperationException($"Speech:Recognizer '{other}' is not an engine here (pocketsphinx, none)."),
            };
            return network.Recognizes
                ? new NetworkSpeechToText(embedded, NetworkAudioClients.SpeechToText(network), network, Logger<NetworkSpeechToText>(sp))
                : embedded;
        });
        services.AddSingleton<ITextToSpeech>(sp =>
        {
            ITextToSpeech embedded = options.Synthesizer.ToLowerInvariant() switch
            {
                "espeak-ng" => ActivatorUtilities.CreateInstance<EspeakNgTextToSpeech>(sp),
                "flite" => NaturalVoiceOrFallback(sp),
                "none" => new NoTextToSpeech("text-to-speech is configured off (Speech:Synthesizer = none)"),
                var other => throw new InvalidOperationException($"Speech:Synthesizer '{other}' is not an engine here (espeak-ng, flite, none)."),
            };
            return network.Synthesizes
                ? new NetworkTextToSpeech(embedded, NetworkAudioClients.TextToSpeech(network), network, Logger<NetworkTextToSpeech>(sp))
                : embedded;
        });
        services.AddSingleton(sp => turnTaking.Vad.ToLowerInvariant() switch
        {
            "silero" => ActivatorUtilities.CreateInstance<SileroVad>(sp),
            "energy" => SileroVad.Off("the energy detector is configured (Speech:TurnTaking:Vad = energy)"),
            var other => throw new InvalidOperationException($"Speech:TurnTaking:Vad '{other}' is not a detector here (silero, energy)."),
        });
        services.AddSingleton<SpeechAvailability>();
        services.AddSingleton<TtsPromptAudio>();
        // TTS prompts when synthesis works; otherwise the IPromptAudio registered before (recorded prompts) stays.
        var recorded = services.LastOrDefault(d => d.ServiceType == typeof(IPromptAudio) && !d.IsKeyedService);
        if (recorded is not null) services.Remove(recorded);
        services.AddSingleton<IPromptAudio>(sp =>
        {
            var tts = sp.GetRequiredService<TtsPromptAudio>();
            if (tts.IsAvailable || recorded is null) return tts;
            return recorded.ImplementationInstance as IPromptAudio
                ?? recorded.ImplementationFactory?.Invoke(sp) as IPromptAudio
                ?? (IPromptAudio)ActivatorUtilities.CreateInstance(sp, recorded.ImplementationType!);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SpeechWarmUp>());
        return builder;
    }

    private static ILogger Logger<T>(IServiceProvider sp) =>
        sp.GetService<ILoggerFactory>()?.CreateLogger<T>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>flite's statistical voice; espeak-ng when that voice is not installed here (it says so in the log).</summary>
    private static ITextToSpeech NaturalVoiceOrFallback(IServiceProvider sp)
    {
        var flite = ActivatorUtilities.CreateInstance<FliteTextToSpeech>(sp);
        if (flite.IsAvailable) return flite;
        sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SpeechServiceCollectionExtensions))
            .LogWarning("Text-to-speech falls back to espeak-ng: {Reason}", flite.UnavailableReason);
        return ActivatorUtilities.CreateInstance<EspeakNgTextToSpeech>(sp);
    }

    /// <summary>Validates the engines at start, logs what is unavailable, and loads warm decoders off the call path.</summary>
    private sealed class SpeechWarmUp(ISpeechToText recognizer, ITextToSpeech synthesizer, ILogger<SpeechWarmUp> logger) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
        {
            logger.LogInformation("Speech: recognizer {Recognizer} {RecognizerState}, synthesizer {Synthesizer} {SynthesizerState}",
                recognizer.Engine, recognizer.IsAvailable ? "available" : "unavailable (DTMF only)",
                synthesizer.Engine, synthesizer.IsAvailable ? "available" : "unavailable (recorded prompts)");
            var embedded = recognizer is NetworkSpeechToText network ? network.Embedded : recognizer;
            if (embedded is PocketSphinxSpeechToText sphinx && sphinx.IsAvailable) sphinx.Warm();
        }, stoppingToken);
    }
}
