namespace Switchboard.Speech.Network;

/// <summary>
/// Section <c>Speech:Network</c>: speech servers in the customer's own network that speak the OpenAI audio API
/// (<c>POST {Endpoint}/audio/transcriptions</c> and <c>{Endpoint}/audio/speech</c>: faster-whisper servers, vLLM, LocalAI,
/// and others). Off unless <see cref="Endpoint"/> and a model are set. Each request is bounded by its timeout; on a timeout
/// or an error the embedded engine answers instead (<see cref="NetworkSpeechToText"/>, <see cref="NetworkTextToSpeech"/>).
/// </summary>
public sealed class NetworkSpeechOptions
{
    public const string Section = "Speech:Network";

    /// <summary>The API's base address, with its version path, e.g. <c>http://speech.internal:8000/v1</c>. Empty: off.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Bearer key the server expects; most in-network servers ignore it.</summary>
    public string ApiKey { get; set; } = "none";

    /// <summary>Model of <c>/audio/transcriptions</c>, e.g. <c>Systran/faster-whisper-small.en</c>. Empty: recognition stays embedded.</summary>
    public string SpeechToTextModel { get; set; } = "";

    /// <summary>Model of <c>/audio/speech</c>, e.g. <c>tts-1</c> or <c>kokoro</c>. Empty: synthesis stays embedded.</summary>
    public string TextToSpeechModel { get; set; } = "";

    /// <summary>The server's voice when a prompt names none (a tenant persona's voice is passed through as it is).</summary>
    public string Voice { get; set; } = "alloy";

    /// <summary>Language of the callers' speech (ISO 639-1), sent with each transcription.</summary>
    public string Language { get; set; } = "en";

    /// <summary>How long the end of an utterance waits for the transcription before taking the embedded engine's result.</summary>
    public double RecognitionTimeoutSeconds { get; set; } = 1.5;

    /// <summary>How long a prompt waits for the synthesised audio before the embedded voice speaks it.</summary>
    public double SynthesisTimeoutSeconds { get; set; } = 2;

    public bool Recognizes => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(SpeechToTextModel);

    public bool Synthesizes => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(TextToSpeechModel);

    /// <summary>Refuses a configuration that would fail on the first call (a clear error at start-up instead).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Endpoint)) return;
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidOperationException($"Speech:Network:Endpoint '{Endpoint}' is not an http(s) address.");
        if (RecognitionTimeoutSeconds <= 0 || SynthesisTimeoutSeconds <= 0)
            throw new InvalidOperationException("Speech:Network timeouts must be positive.");
    }
}
