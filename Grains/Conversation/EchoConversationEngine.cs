using Switchboard.Dialog;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Conversation;

/// <summary>The engine used when no bot is configured: says what it heard (tokenized) and what it knows.</summary>
public sealed class EchoConversationEngine : IConversationEngine, IConversationEngineProvider
{
    public IConversationEngine For(string tenant) => this;

    public ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default)
    {
        var heard = turn.Payload?.Title ?? turn.Payload?.Id ?? turn.Text;
        var switched = turn.PreviousChannel is { } prev && prev != turn.Channel
            ? $" We last spoke on your {prev.ToSpoken()}."
            : "";
        return ValueTask.FromResult(new EngineReply($"You said: {heard}.{switched}"));
    }
}
