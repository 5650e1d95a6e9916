using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Speech;
using Switchboard.Speech.TurnTaking;
using Switchboard.Speech.Vad;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Agent;

public static class VoiceAgentExtensions
{
    /// <summary>
    /// The voice agent (section <c>VoiceAgent</c>): speech for calls (registers <c>AddSpeech</c> if nothing did), the
    /// speech-driven media handler for every call, the dialog's spoken wording, proactive calls. Call after <c>AddVoice</c>.
    /// </summary>
    public static WebApplicationBuilder AddVoiceAgent(this WebApplicationBuilder builder)
    {
        var options = new VoiceAgentOptions();
        builder.Configuration.GetSection(VoiceAgentOptions.Section).Bind(options);
        if (options.MaxReprompts is < 0 or > 10) throw new InvalidOperationException("VoiceAgent:MaxReprompts must be 0-10.");
        if (options.OpenTurns is not (VoiceAgentOptions.GrammarTurns or VoiceAgentOptions.LanguageModelTurns))
            throw new InvalidOperationException($"VoiceAgent:OpenTurns must be {VoiceAgentOptions.GrammarTurns} or {VoiceAgentOptions.LanguageModelTurns}.");
        var machine = options.AnsweringMachine;
        if (machine.MaxHumanGreeting <= TimeSpan.Zero || machine.AfterGreetingSilence <= TimeSpan.Zero || machine.InitialSilence <= TimeSpan.Zero
            || machine.SilenceInsteadOfBeep <= TimeSpan.Zero || machine.MaxBeepWait <= TimeSpan.Zero || machine.MinBeep <= TimeSpan.Zero)
            throw new InvalidOperationException("VoiceAgent:AnsweringMachine durations must be positive.");
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(SpeechAvailability))) builder.AddSpeech();
        services.AddSingleton(options);
        // The dialog's spoken wording replaces the transport's keypad default, not a renderer someone registered on purpose.
        if (services.LastOrDefault(d => d.ServiceType == typeof(IVoiceReplyRenderer)) is not { } renderer || renderer.ImplementationType == typeof(VoiceReplyText))
            services.Replace(ServiceDescriptor.Singleton<IVoiceReplyRenderer, SpokenReplyRenderer>());
        services.AddSingleton<BotVoiceProfiles>();
        services.AddSingleton<ProactiveCallReasons>();
        services.AddSingleton<VoiceAgentMetrics>();
        services.AddSingleton<CallRecordings>();
        // Erasing a customer deletes their call recordings too.
        services.AddSingleton<IErasureParticipant>(sp => sp.GetRequiredService<CallRecordings>());
        services.AddSingleton<AnsweringMachineOutcomes>();
        services.AddSingleton<OpenTurnModels>();
        services.AddSingleton<TenantVoices>();
        services.AddSingleton<ProactiveCalls>();
        services.AddSingleton(sp => new VoiceAgentServices(
            options,
            sp.GetRequiredService<ISpeechToText>(),
            sp.GetRequiredService<TurnTakingOptions>(),
            sp.GetRequiredService<BotVoiceProfiles>(),
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<ProactiveCallReasons>(),
            sp.GetRequiredService<VoiceAgentMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Channels.Voice.Agent"),
            sp.GetRequiredService<CallRecordings>(),
            sp.GetRequiredService<AnsweringMachineOutcomes>(),
            sp.GetRequiredService<TenantDirectory>(),
            sp.GetRequiredService<SileroVad>(),
            sp.GetRequiredService<OpenTurnModels>(),
            sp.GetRequiredService<TenantVoices>()));
        services.AddSingleton<SpeechCallHandlerFactory>();
        // A media handler factory registered before (a test's, another speech layer) wins.
        services.TryAddSingleton<ICallMediaHandlerFactory>(sp => sp.GetRequiredService<SpeechCallHandlerFactory>());
        return builder;
    }
}
