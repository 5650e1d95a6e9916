namespace Switchboard.Journeys.Rules;

/// <summary>
/// Splits a channel's outbound capacity (messages per minute, or calls) between the running journeys by weight, the
/// way Amazon Connect shares capacity between campaigns: whole units by largest remainder, every running journey at
/// least one unit when there is capacity for it, and the sum never above the total.
/// </summary>
public static class CapacityShare
{
    public static IReadOnlyDictionary<string, int> Allocate(int total, IReadOnlyDictionary<string, double> weights)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var running = weights.Where(w => w.Value > 0).OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        if (running.Count == 0 || total <= 0) return result;
        var sum = running.Sum(w => w.Value);
        var floors = running.Select(w => (w.Key, Exact: total * w.Value / sum)).ToList();
        var given = 0;
        foreach (var (key, exact) in floors) { result[key] = (int)Math.Floor(exact); given += result[key]; }
        foreach (var (key, _) in floors.OrderByDescending(f => f.Exact - Math.Floor(f.Exact)).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            if (given >= total) break;
            result[key]++;
            given++;
        }
        // A journey with a tiny weight still moves: take a unit from the largest share.
        foreach (var (key, _) in floors)
            if (result[key] == 0)
            {
                var largest = result.MaxBy(r => r.Value);
                if (largest.Value <= 1) break;
                result[largest.Key]--;
                result[key] = 1;
            }
        return result;
    }
}
