namespace Switchboard.Bench.Fuzz;

/// <summary>
/// The live fuzz campaigns against the engine as its own process on loopback, at issue 14's sizes (100,000 SIP messages,
/// 100,000 media packets, 10,000 chat frames, 100,000 webhook bodies), or smaller with --scale. Prints per campaign the
/// inputs tried, crashes and hangs (both must be 0), the engine's peak memory, and whether it still answers OPTIONS,
/// /healthz and a real call. Usage: fuzz-live [--scale 1.0] [--only sip,media,chat,webhooks]
/// </summary>
public sealed class FuzzLiveBenchmark : IBenchmark
{
    public string Name => "fuzz-live";

    public string Description => "live fuzz campaigns (SIP UDP/TCP, RTP/RTCP, /chat frames, signed webhooks) against a running engine: crashes, hangs, peak memory";

    public async Task<int> RunAsync(string[] args)
    {
        var scale = double.Parse(Options.String(args, "--scale", "1"), System.Globalization.CultureInfo.InvariantCulture);
        var only = Options.String(args, "--only", "sip,media,chat,webhooks").Split(',');
        var full = CampaignSizes.Full;
        var sizes = new CampaignSizes((int)(full.SipMessages * scale), (int)(full.MediaPackets * scale), (int)(full.ChatFrames * scale), (int)(full.WebhookBodies * scale));
        var report = await LiveFuzzRun.RunAsync(sizes, only, FindCorpora(), Console.WriteLine);
        return report.Passed ? 0 : 1;
    }

    private static string FindCorpora()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "fuzz", "corpora"))) return Path.Combine(dir.FullName, "fuzz", "corpora");
        throw new DirectoryNotFoundException("fuzz/corpora");
    }
}
