using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Conversation;

/// <summary>The engine used when no bot is configured: says what it heard (tokenized) and what it knows.</summary>
public sealed class EchoConversationEngine : IConversationEngine, IConversationEngineProvider
{
    public IConversationEngine For(string tenant) => this;

    public EngineReply Respond(TurnContext turn)
    {
        var heard = turn.Payload?.Title ?? turn.Payload?.Id ?? turn.Text;
        var switched = turn.PreviousChannel is { } prev && prev != turn.Channel
            ? $" We last spoke on your {prev.ToSpoken()}."
            : "";
        return new EngineReply($"You said: {heard}.{switched}");
    }
}
