using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Cluster.Tests;

/// <summary>Reads customers' transcripts through a silo's admin API and checks a load's acknowledged turns against them.</summary>
public static class Transcripts
{
    public sealed record Turn(string Channel, string Direction, string Text);

    public static async Task<string?> ResolveAsync(HttpClient silo, string channel, string address)
    {
        using var resolved = await silo.GetAsync($"api/customers/resolve?channel={channel}&address={Uri.EscapeDataString(address)}");
        if (!resolved.IsSuccessStatusCode) return null;
        return (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
    }

    public static async Task<List<Turn>> ReadAsync(HttpClient silo, string customerId)
    {
        var transcript = await silo.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/transcript");
        return transcript.GetProperty("turns").EnumerateArray()
            .Select(t => new Turn(t.GetProperty("channel").GetString()!, t.GetProperty("direction").GetString()!, t.GetProperty("text").GetString() ?? ""))
            .ToList();
    }

    /// <summary>
    /// Every acknowledged text is in its customer's transcript exactly once, and no text is there twice (a turn sent,
    /// refused and retried is still one turn). Returns (acknowledged, lost, duplicated) over all customers.
    /// </summary>
    public static async Task<(int Acked, int Lost, int Duplicated, List<string> Problems)> CheckExactlyOnceAsync(HttpClient silo, WebhookLoad load)
    {
        int acked = 0, lost = 0, duplicated = 0;
        var problems = new List<string>();
        foreach (var number in load.Acked.Values.SelectMany(a => a).GroupBy(a => a.WaId))
        {
            var c = number.Key;
            var texts = number.Select(a => a.Text).ToList();
            acked += texts.Count;
            var customer = await ResolveAsync(silo, "whatsapp", number.Key);
            if (customer is null)
            {
                lost += texts.Count;
                if (texts.Count > 0) problems.Add($"number {c}: unknown to the silo");
                continue;
            }
            var inbound = (await ReadAsync(silo, customer)).Where(t => t is { Channel: "whatsapp", Direction: "inbound" }).GroupBy(t => t.Text).ToDictionary(g => g.Key, g => g.Count());
            foreach (var text in texts.Where(t => !inbound.ContainsKey(t)))
            {
                lost++;
                problems.Add($"number {c}: acknowledged \"{text}\" is not in the transcript");
            }
            foreach (var (text, count) in inbound.Where(kv => kv.Value > 1))
            {
                duplicated += count - 1;
                problems.Add($"number {c}: \"{text}\" is in the transcript {count} times");
            }
        }
        return (acked, lost, duplicated, problems);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds for every customer of the load.</summary>
    public static Task<bool> ForEveryCustomerAsync(WebhookLoad load, Func<int, bool> condition, TimeSpan within) =>
        Eventually.HoldsAsync(() => Task.FromResult(Enumerable.Range(0, load.Customers).All(condition)), within);
}
