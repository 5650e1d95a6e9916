using Microsoft.Extensions.Logging;

namespace Switchboard.Speech.Network;

/// <summary>
/// Calls to the speech server, each bounded in time and counted: answered by the server, or fallen back to the embedded
/// engine because the server failed or was too slow. The caller's own cancellation is not a fallback and propagates.
/// </summary>
internal sealed class BoundedServerCalls(double timeoutSeconds, ILogger logger, string fallbackMessage)
{
    private long _answered;
    private long _fellBack;

    public long Answered => Interlocked.Read(ref _answered);

    public long FellBack => Interlocked.Read(ref _fellBack);

    /// <summary>The call's result, or null when it failed or had not answered within the timeout.</summary>
    public async Task<T?> TryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) where T : class
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            var result = await call(bounded.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
            return result;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The reason only: audio, transcripts and prompts are the caller's words (a name read back), never logged.
            Interlocked.Increment(ref _fellBack);
            LogFallback(logger, fallbackMessage, e is OperationCanceledException ? "timed out" : e.GetType().Name, null);
            return null;
        }
    }

    private static readonly Action<ILogger, string, string, Exception?> LogFallback =
        LoggerMessage.Define<string, string>(LogLevel.Warning, default, "{Fallback} ({Reason})");
}
