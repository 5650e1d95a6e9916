namespace Switchboard.Dialog.Definition;

/// <summary>Who the bot is, on every channel: name, tone, the words it prefers, greeting, sign-off and compliance lines.</summary>
public sealed class Persona
{
    public required string Name { get; init; }
    public required string Brand { get; init; }
    public string Tone { get; init; } = "";
    public required Template Greeting { get; init; }
    public required Template SignOff { get; init; }
    /// <summary>Words the persona never uses, mapped to the word it says instead ("PNR" → "booking reference"). Applied to every reply.</summary>
    public IReadOnlyDictionary<string, string> Avoid { get; init; } = new Dictionary<string, string>();
    /// <summary>Words the persona prefers (documentation for authors; the examples and prompts use them).</summary>
    public IReadOnlyList<string> Prefer { get; init; } = [];
    /// <summary>Said at the start of a phone call (the call-recording notice).</summary>
    public Template? VoiceNotice { get; init; }
    /// <summary>
    /// The synthesiser voice this tenant's calls speak in (for flite: rms, slt, awb, kal16, kal; for a speech server, its
    /// own voice names). Null: the engine's default voice. The channel checks the name against its synthesiser.
    /// </summary>
    public string? Voice { get; init; }
}
