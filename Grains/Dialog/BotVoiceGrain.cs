using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Switchboard.Dialog.Definition;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Dialog;

/// <summary>Reads a tenant's voice profile off its loaded bot; bots do not change while the silo runs.</summary>
[StatelessWorker]
public sealed class BotVoiceGrain(IServiceProvider services) : Grain, IBotVoiceGrain
{
    public Task<BotVoiceProfile?> Profile()
    {
        // Absent when the bots are switched off (Bots:Enabled=false).
        var bot = services.GetService<DialogEngineProvider>()?.BotOf(this.GetPrimaryKeyString());
        if (bot is null) return Task.FromResult<BotVoiceProfile?>(null);
        return Task.FromResult<BotVoiceProfile?>(ProfileOf(bot.Definition));
    }

    public static BotVoiceProfile ProfileOf(BotDefinition bot) => new(
        bot.Persona.VoiceNotice?.Render(_ => null),
        bot.Messages.Fallback.Render(_ => null),
        bot.Intents.SelectMany(i => i.Examples).ToList(),
        bot.Persona.Voice);
}
