using Switchboard.Dialog;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Silo.Tests.Admission;

/// <summary>
/// A conversation engine that holds every WhatsApp turn until <see cref="Release"/>, so a test can keep a known number of
/// turns in flight in the real engine; other channels' turns (voice, web chat) answer at once.
/// </summary>
public sealed class HeldEngine : IConversationEngine, IConversationEngineProvider
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public int Held => Volatile.Read(ref _held);

    public IConversationEngine For(string tenant) => this;

    public void Release() => _released.TrySetResult();

    public async ValueTask<EngineReply> RespondAsync(DialogTurn turn, CancellationToken cancellationToken = default)
    {
        if (turn.Channel == Channel.WhatsApp)
        {
            Interlocked.Increment(ref _held);
            await _released.Task;
        }
        return new EngineReply($"You said: {turn.Text}");
    }
}
