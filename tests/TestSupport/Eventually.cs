namespace Switchboard.TestSupport;

/// <summary>Waits for a condition the engine makes true asynchronously (sipp calls, outbox sends), up to a deadline.</summary>
public static class Eventually
{
    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not at the deadline.</summary>
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            // Polling interval, not synchronisation: the condition itself is what the caller waits for.
            await Task.Delay(50);
        }
        return await condition();
    }
}
