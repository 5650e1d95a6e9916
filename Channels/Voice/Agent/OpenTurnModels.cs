using System.Collections.Concurrent;
using Switchboard.Speech;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.LanguageModel;
using Switchboard.Speech.Network;
using Switchboard.Speech.PocketSphinx;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Each tenant's open-turn recogniser model: a domain trigram language model of its bot's phrases (intent examples and
/// the agent's global phrases) interpolated with the generic English model (<c>Speech:PocketSphinx:OpenTurnDomainWeight</c>), built once per tenant, for turns that take free speech (the open menu) when
/// <c>VoiceAgent:OpenTurns</c> is <c>language-model</c>. Turns that expect a choice keep their per-turn grammar.
/// </summary>
public sealed class OpenTurnModels(ISpeechToText recognizer, VoiceAgentOptions options)
{
    private readonly ConcurrentDictionary<string, SpeechGrammar?> _byTenant = new(StringComparer.Ordinal);

    /// <summary>The pocketsphinx engine, on its own or beside a speech server in the network (which then hears the open turn freely).</summary>
    private PocketSphinxSpeechToText? Sphinx => recognizer as PocketSphinxSpeechToText ?? (recognizer as NetworkSpeechToText)?.Embedded as PocketSphinxSpeechToText;

    public bool Enabled => options.OpenTurns == VoiceAgentOptions.LanguageModelTurns && Sphinx is { IsAvailable: true };

    /// <summary>The open turn's model, or null when the reply expects a choice, the feature is off or the bot has no phrases.</summary>
    public SpeechGrammar? For(string tenant, EngineReply reply, BotVoiceProfile? bot)
    {
        if (!Enabled || bot is null || bot.MenuPhrases.Count == 0 || !IsOpen(reply)) return null;
        return _byTenant.GetOrAdd(tenant, _ =>
        {
            var sphinx = Sphinx!;
            var dictionary = sphinx.Dictionary;
            try { return sphinx.OpenTurn(DomainLanguageModel.Build([.. bot.MenuPhrases, .. TurnGrammar.GlobalPhrases], dictionary.Contains), "open-" + tenant); }
            catch (ArgumentException) { return null; }
        });
    }

    /// <summary>An open menu: nothing offered to choose from, no slot pending, no confirmation.</summary>
    public static bool IsOpen(EngineReply reply) =>
        (reply.Expect is null || (reply.Expect.Type == ReplyExpectation.Menu && reply.Expect.Slot is null && !reply.Expect.Secret))
        && reply.OptionList.Count == 0 && reply.Style != ReplyStyle.Confirmation;
}
