using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Journeys;
using Switchboard.TestSupport;

namespace Switchboard.Bench.Journeys;

/// <summary>The real engine (HTTP + silo, embedded file store) for the journey benchmarks: customers made by inbound turns, audiences uploaded as streamed CSV.</summary>
internal sealed class JourneyBenchHost : IAsyncDisposable
{
    public SiloApp Silo { get; }

    private JourneyBenchHost(SiloApp silo) => Silo = silo;

    public static async Task<JourneyBenchHost> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bots:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return new(await SiloApp.StartAsync(settings));
    }

    /// <summary>The tenant the benchmarks' journeys and customers belong to (the default tenant).</summary>
    public const string Tenant = "airline";

    public static string Phone(int i) => $"+9199{i:D8}";

    /// <summary>Creates <paramref name="n"/> customers by one inbound WhatsApp turn each (64 in flight); returns turns per second, the peer rate.</summary>
    public async Task<double> CreateCustomers(int n)
    {
        var ingress = Silo.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IConversationIngressGrain>(0);
        var sw = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            await Task.Yield();
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var turn = new InboundTurn(Tenant, Channel.WhatsApp, new ChannelAddress(AddressKind.WhatsApp, Phone(i)[1..]), $"bench-{i}", "hello", null, DateTimeOffset.UtcNow);
                // On a loaded machine a call can pass Orleans' 5 s deadline; the same message id again is answered once
                // (the customer drops the copy), so a retry makes no second customer and no second turn.
                for (var attempt = 1; ; attempt++)
                {
                    try { await ingress.Receive(turn); break; }
                    catch (TimeoutException) when (attempt < 3) { }
                }
            }
        }));
        return n / sw.Elapsed.TotalSeconds;
    }

    public async Task Define(string id, string yaml)
    {
        var r = await Silo.Http.PutAsync($"/api/journeys/{id}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException(await r.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Uploads an audience of <paramref name="n"/> rows, written while it is sent (never the whole file in memory), and
    /// returns at the upload's answer (every row durably admitted). <see cref="UploadAndEnrolCsv"/> also waits for the enrolments.
    /// </summary>
    public async Task<(JsonObject Result, TimeSpan Elapsed)> UploadCsv(string journey, int n, string timeZone)
    {
        using var http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromHours(1) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", SiloApp.AdminKey);
        var sw = Stopwatch.StartNew();
        var r = await http.PostAsync($"/api/journeys/{journey}/enrolments/csv", new AudienceContent(n, timeZone));
        var body = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException(body);
        return (JsonNode.Parse(body)!.AsObject(), sw.Elapsed);
    }

    /// <summary>Uploads, then waits until every admitted row is an enrolment that ran its first step; the time from the upload's start.</summary>
    public async Task<(JsonObject Result, TimeSpan Elapsed)> UploadAndEnrolCsv(string journey, int n, string timeZone)
    {
        var sw = Stopwatch.StartNew();
        var (result, _) = await UploadCsv(journey, n, timeZone);
        await Enrolled(journey);
        return (result, sw.Elapsed);
    }

    /// <summary>Polls the journey's admission shards until none has rows left to enrol (a busy shard's answer may be late: asked again).</summary>
    public async Task Enrolled(string journey)
    {
        var grains = Silo.App.Services.GetRequiredService<IGrainFactory>();
        while (true)
        {
            try
            {
                var pending = await Task.WhenAll(Enumerable.Range(0, JourneyAdmission.Shards)
                    .Select(s => grains.GetGrain<IJourneyAdmissionGrain>(JourneyAdmission.Key(Tenant, journey, s)).Pending()));
                if (pending.Sum() == 0) return;
            }
            catch (TimeoutException)
            {
            }
            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => Silo.DisposeAsync();

    /// <summary>An IANA zone where it is early afternoon now, so quiet hours never hold a benchmark up.</summary>
    public static string AfternoonZone()
    {
        var offset = 13 - DateTime.UtcNow.Hour;
        if (offset < -12) offset += 24;
        if (offset > 12) offset -= 24;
        return offset == 0 ? "Etc/UTC" : offset > 0 ? $"Etc/GMT-{offset}" : $"Etc/GMT+{-offset}";
    }

    private sealed class AudienceContent : HttpContent
    {
        private readonly int n;
        private readonly string zone;

        public AudienceContent(int rows, string timeZone)
        {
            (n, zone) = (rows, timeZone);
            Headers.ContentType = new("text/csv");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            await writer.WriteLineAsync("phone,timeZone,model");
            for (var i = 0; i < n; i++) await writer.WriteLineAsync($"{Phone(i)},{zone},Nexon");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
