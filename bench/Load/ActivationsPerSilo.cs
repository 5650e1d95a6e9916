using System.Net.Http.Headers;
using Spectre.Console;
using System.Text;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Load;

/// <summary>
/// Customer and identity grain activations per silo, read from the dashboard's data endpoint
/// (<c>/dashboard/DashboardCounters</c>) after the cluster run: it shows whether a placement piles customers onto one silo.
/// </summary>
public static class ActivationsPerSilo
{
    private static readonly string[] Types = [".CustomerGrain", ".IdentityGrain", ".ConversationIngressGrain"];

    /// <summary>Per silo address, activations of each of <see cref="Types"/>; empty when the dashboard did not answer in time.</summary>
    public static async Task<List<(string Silo, int[] Activations)>> ReadAsync(Uri silo, int expectedCustomers)
    {
        using var http = new HttpClient { BaseAddress = silo, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("bench:" + SiloApp.AdminKey)));
        List<(string, int[])> result = [];
        // The dashboard collects counters from every silo on its own cadence: poll until it has seen the run's customers.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync("dashboard/DashboardCounters");
                if (!response.IsSuccessStatusCode) return false;
                var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                var silos = root.GetProperty("hosts").EnumerateArray().Where(h => h.GetProperty("status").GetString() == "Active")
                    .Select(h => h.GetProperty("siloAddress").GetString()!).Order(StringComparer.Ordinal).ToList();
                var stats = root.GetProperty("simpleGrainStats").EnumerateArray().ToList();
                result = silos.Select(s => (s, Types.Select(t => stats
                    .Where(x => x.GetProperty("siloAddress").GetString() == s && x.GetProperty("grainType").GetString()!.EndsWith(t, StringComparison.Ordinal))
                    .Sum(x => x.GetProperty("activationCount").GetInt32())).ToArray())).ToList();
                return result.Sum(r => r.Item2[0]) >= expectedCustomers;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException) { return false; }
        }, TimeSpan.FromSeconds(30));
        return result;
    }

    public static void Print(List<(string Silo, int[] Activations)> perSilo)
    {
        var table = new Table().Title("cluster activations per silo (dashboard)").AddColumns("silo", "customer", "identity", "ingress workers");
        foreach (var (silo, a) in perSilo) table.AddRow(silo, a[0].ToString(), a[1].ToString(), a[2].ToString());
        AnsiConsole.Write(table);
    }
}
