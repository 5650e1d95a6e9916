using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Channels.Voice.Agent;

namespace Switchboard.Bench;

/// <summary>
/// What erasing one customer's call recordings costs when it reads every sidecar of the tenant's folder: N recordings
/// (sidecar + header-only WAV) spread over customers, then several erasures of a customer with a few recordings each.
/// <c>dotnet run -c Release --project bench -- recording-erasure [--recordings 10000] [--erasures 5]</c>
/// </summary>
public sealed class RecordingErasureBenchmark : IBenchmark
{
    private const int PerCustomer = 4;

    public string Name => "recording-erasure";

    public string Description => "erasing a customer's call recordings: time to read a tenant folder of N sidecars";

    public async Task<int> RunAsync(string[] args)
    {
        var n = Options.Int(args, "--recordings", 10_000);
        var erasures = Options.Int(args, "--erasures", 5);
        var root = Directory.CreateTempSubdirectory("switchboard-recordings-bench-");
        try
        {
            var recordings = new CallRecordings(new VoiceAgentOptions { RecordingsPath = root.FullName }, NullLogger<CallRecordings>.Instance);
            var folder = Directory.CreateDirectory(recordings.FolderOf("airline")).FullName;
            var wavHeader = new byte[44];
            for (var i = 0; i < n; i++)
            {
                var callRef = Convert.ToHexStringLower(BitConverter.GetBytes((long)i * 2_654_435_761)) + i.ToString("x6");
                await File.WriteAllBytesAsync(Path.Combine(folder, callRef + ".wav"), wavHeader);
                await File.WriteAllTextAsync(Path.Combine(folder, callRef + ".json"), JsonSerializer.Serialize(new
                {
                    customerId = CustomerId(i / PerCustomer),
                    consent = $"sip-call-id {Guid.NewGuid()}@10.0.0.1; answered 'dtmf 1' at +4210 ms into the call",
                    durationMs = 183_000,
                    pauses = new[] { new { startSample = 96_000, endSample = 160_000, reason = "CardNumber" } },
                }));
            }
            var times = new List<double>();
            for (var e = 0; e < erasures; e++)
            {
                var customer = CustomerId((int)((long)(e + 1) * (n / PerCustomer) / (erasures + 1)));
                var started = Stopwatch.GetTimestamp();
                var removed = await recordings.EraseAsync("airline", customer, CancellationToken.None);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (removed != PerCustomer) throw new InvalidOperationException($"expected {PerCustomer} recordings removed, got {removed}");
            }
            times.Sort();
            Console.WriteLine($"recording-erasure: tenant folder of {n} recordings ({n / PerCustomer} customers, {PerCustomer} each), {erasures} erasures");
            Console.WriteLine($"  per erasure: p50 {times[times.Count / 2]:F1} ms  max {times[^1]:F1} ms  ({times[times.Count / 2] * 1000 / n:F1} µs per sidecar read)  first (cold JIT) included");
        }
        finally
        {
            root.Delete(recursive: true);
        }
        return 0;
    }

    private static string CustomerId(int i) => "c-" + i.ToString("x20");
}
