using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Telephony.Media;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// The prompts a tenant's calls are spoken with: the channel's prompts in the voice the tenant's persona names
/// (<see cref="BotVoiceProfile.Voice"/>), or the channel's default voice when it names none. A voice the synthesiser here
/// lacks is an operator's mistake in the bot folder: it is logged as an error once per tenant and voice, and the calls
/// go on in the default voice rather than in silence.
/// </summary>
public sealed class TenantVoices(IPromptAudio prompts, ILogger<TenantVoices> logger)
{
    private readonly ConcurrentDictionary<string, IPromptAudio?> _byVoice = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Voice), bool> _reported = new();

    /// <summary>Voices named by a persona that the prompts here cannot speak, counted once per tenant and voice.</summary>
    public int UnknownVoices => _reported.Count;

    /// <summary>The prompts for a call of <paramref name="tenant"/>, whose bot is <paramref name="bot"/> (null: no bot).</summary>
    public IPromptAudio For(string tenant, BotVoiceProfile? bot)
    {
        if (bot?.Voice is not { } voice) return prompts;
        if (_byVoice.GetOrAdd(voice, prompts.InVoice) is { } spoken) return spoken;
        if (_reported.TryAdd((tenant, voice), true))
            logger.LogError("The persona of tenant {Tenant} names the voice {Voice}, which the synthesiser here does not have; its calls use the default voice. Set persona.voice to one of the synthesiser's voices (docs/speech.md).",
                tenant, voice);
        return prompts;
    }
}
