using Switchboard.Speech.TurnTaking;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>Section <c>VoiceAgent</c>: the speech-driven call handler, recording with consent, handoff and proactive calls.</summary>
public sealed class VoiceAgentOptions
{
    public const string Section = "VoiceAgent";

    /// <summary>Listen to callers with speech recognition when the engines are available (otherwise calls take DTMF only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder for call recordings (WAV). Empty: calls are never recorded and no consent question is asked.</summary>
    public string? RecordingsPath { get; set; }

    /// <summary>Asked after the persona's recording notice; the answer (speech or keys 1/2) is stored as consent with evidence.</summary>
    public string RecordingQuestion { get; set; } = "Is that all right with you? Say yes or no, or press 1 for yes and 2 for no.";

    /// <summary>Spoken when the answer was no (or none came): the call goes on unrecorded.</summary>
    public string NotRecordingLine { get; set; } = "No problem, this call will not be recorded.";

    /// <summary>Re-prompts after silence or an answer the grammar does not hold, before the call just keeps listening.</summary>
    public int MaxReprompts { get; set; } = 2;

    /// <summary>Spoken before repeating the prompt when nothing was heard.</summary>
    public string NoInputLine { get; set; } = "Sorry, I didn't hear anything.";

    public const string GrammarTurns = "grammar";
    public const string LanguageModelTurns = "language-model";

    /// <summary>
    /// Open turns (the menu, where the caller says what they want in their own words): <c>grammar</c> (default: the
    /// bot's intent examples as a JSGF grammar, the example itself goes to the engine) or <c>language-model</c> (a
    /// domain trigram model of the same phrases; what was heard goes to the engine's NLU). See docs/voice-agent.md.
    /// </summary>
    public string OpenTurns { get; set; } = GrammarTurns;

    /// <summary>Answering-machine detection on proactive calls (<c>VoiceAgent:AnsweringMachine</c>).</summary>
    public AnsweringMachineOptions AnsweringMachine { get; set; } = new();
}
