using Switchboard.Dialog;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Dialog;

/// <summary>
/// The customer grain's seam to the dialog library: the grain's turn (its live context layers) goes to the pure
/// <see cref="DialogEngine"/> as it is. The grain persists what the step changed.
/// </summary>
public sealed class DialogConversationEngine(DialogEngine engine) : IConversationEngine
{
    public DialogEngine Engine { get; } = engine;

    public ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Engine.RespondAsync(turn, cancellationToken);
    }
}
