namespace Switchboard.Grains.Interfaces.Conversation;

/// <summary>
/// What a tenant's bot says and listens for on a call beyond a single reply (key: the tenant id), so the voice channel
/// needs no dialog engine types: the recording notice, the "didn't catch that" line, and what a caller may say when no
/// flow is open.
/// </summary>
[Alias("bot-voice")]
public interface IBotVoiceGrain : IGrainWithStringKey
{
    /// <summary>Null when the tenant runs no bot (bots switched off): calls then use generic grammars and lines.</summary>
    [Alias("profile")]
    Task<BotVoiceProfile?> Profile();
}

/// <summary>
/// <see cref="RecordingNotice"/> is read out before asking to record (and not twice); <see cref="Fallback"/> prefixes
/// a re-prompt; <see cref="MenuPhrases"/> (the bot's intent examples) are heard when no flow is open;
/// <see cref="Voice"/> is the persona's synthesiser voice (null: the engine's default).
/// </summary>
[GenerateSerializer, Immutable, Alias("bot-voice-profile")]
public sealed record BotVoiceProfile(
    [property: Id(0)] string? RecordingNotice,
    [property: Id(1)] string? Fallback,
    [property: Id(2)] IReadOnlyList<string> MenuPhrases,
    [property: Id(3)] string? Voice = null);
