using System.Collections.Concurrent;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Hands each proactive call's detection outcome from its <see cref="SpeechCallHandler"/> to the
/// <see cref="ProactiveCalls"/> that placed it. The handler announces the call when it is created (before the answer
/// is reported), so a call with no entry has no detection and is <see cref="AnsweredBy.Unknown"/> at once.
/// </summary>
public sealed class AnsweringMachineOutcomes
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AnsweredBy>> _calls = new();

    public void Expect(string callId) =>
        _calls.TryAdd(callId, new TaskCompletionSource<AnsweredBy>(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Report(string callId, AnsweredBy answeredBy)
    {
        if (_calls.TryGetValue(callId, out var outcome)) outcome.TrySetResult(answeredBy);
    }

    /// <summary>The outcome once decided (or Unknown after <paramref name="timeout"/>, or when the call had no detection); forgets the call.</summary>
    public async Task<AnsweredBy> WaitAsync(string callId, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!_calls.TryGetValue(callId, out var outcome)) return AnsweredBy.Unknown;
        try
        {
            return await outcome.Task.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return AnsweredBy.Unknown;
        }
        finally
        {
            _calls.TryRemove(callId, out _);
        }
    }

    /// <summary>The call ended: an undecided outcome is Unknown (hung up during the greeting), and the entry goes.</summary>
    public void End(string callId)
    {
        if (_calls.TryRemove(callId, out var outcome)) outcome.TrySetResult(AnsweredBy.Unknown);
    }
}
