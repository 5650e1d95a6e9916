using Switchboard.Dialog;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Conversation;

/// <summary>
/// The dialog engine a customer grain runs for each turn. It reads and changes the context layers in the
/// <see cref="DialogTurn"/> (the grain's live state, persisted after the turn) and returns a channel-agnostic reply. It
/// sees only tokenized text.
/// </summary>
public interface IConversationEngine
{
    ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default);
}

/// <summary>Picks the engine for a tenant (each tenant runs its own bot).</summary>
public interface IConversationEngineProvider
{
    IConversationEngine For(string tenant);
}
