using Microsoft.Extensions.Logging;
using Switchboard.Speech;
using Switchboard.Speech.TurnTaking;
using Switchboard.Speech.Vad;
using Switchboard.Tenancy;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>What every call's <see cref="SpeechCallHandler"/> shares.</summary>
public sealed record VoiceAgentServices(
    VoiceAgentOptions Options,
    ISpeechToText Recognizer,
    TurnTakingOptions TurnTaking,
    BotVoiceProfiles Bots,
    IGrainFactory Grains,
    ProactiveCallReasons Reasons,
    VoiceAgentMetrics Metrics,
    TimeProvider Time,
    ILogger Logger,
    CallRecordings Recordings,
    AnsweringMachineOutcomes Outcomes,
    TenantDirectory Tenants,
    SileroVad Vad,
    OpenTurnModels OpenTurns,
    TenantVoices Voices);
