using Switchboard.Dialog;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Grains.Dialog;

/// <summary>
/// The customer grain's seam to the dialog library: hands the grain's <see cref="TurnContext"/> (its live context
/// layers) to the pure <see cref="DialogEngine"/> as a <see cref="DialogTurn"/>. The grain persists what the step changed.
/// </summary>
public sealed class DialogConversationEngine(DialogEngine engine) : IConversationEngine
{
    public DialogEngine Engine { get; } = engine;

    public ValueTask<EngineReply> RespondAsync(TurnContext turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return Engine.RespondAsync(new DialogTurn
        {
            Tenant = turn.Tenant,
            CustomerId = turn.CustomerId,
            Channel = turn.Channel,
            Text = turn.Text,
            Payload = turn.Payload,
            Now = turn.Now,
            Ephemeral = turn.Ephemeral,
            Intent = turn.Intent,
            System = turn.System,
            EngineData = turn.EngineData,
            PreviousChannel = turn.PreviousChannel,
            IssueSessionToken = turn.IssueSessionToken,
            IssueCallCode = turn.IssueCallCode,
            ResolveSecret = turn.ResolveSecret,
        }, cancellationToken);
    }
}
