using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Speech;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Gives each answered call a <see cref="SpeechCallHandler"/> when speech recognition and synthesis work here;
/// otherwise calls stay DTMF-only, which it says once, plainly, in the log.
/// </summary>
public sealed class SpeechCallHandlerFactory : ICallMediaHandlerFactory
{
    private readonly VoiceAgentServices _services;

    public SpeechCallHandlerFactory(VoiceAgentServices services, SpeechAvailability speech, ITextToSpeech tts)
    {
        _services = services;
        if (!services.Options.Enabled)
            Reason = "the voice agent is configured off (VoiceAgent:Enabled = false)";
        else if (!speech.CanRecognize)
            Reason = speech.RecognizerUnavailableReason ?? "speech recognition is unavailable";
        else if (!speech.CanSynthesize)
            Reason = speech.SynthesizerUnavailableReason ?? "text-to-speech is unavailable";
        if (Reason is null)
            services.Logger.LogInformation("Voice agent: calls listen to speech ({Recognizer}) and keys, and answer with {Synthesizer}; recording {Recording}",
                services.Recognizer.Engine, tts.Engine, string.IsNullOrWhiteSpace(services.Options.RecordingsPath) ? "off" : "on with consent");
        else
            services.Logger.LogWarning("Voice agent: calls are DTMF-only because {Reason}", Reason);
    }

    /// <summary>Why calls are DTMF-only, or null when they listen to speech.</summary>
    public string? Reason { get; }

    public bool Listens => Reason is null;

    public ICallMediaHandler? Create(ICallSession call) => Listens ? new SpeechCallHandler(call, _services) : null;
}
