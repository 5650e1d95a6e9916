using Switchboard.Bench.Fuzz;

namespace Switchboard.Fuzz.Tests;

/// <summary>The live campaigns of <c>bench -- fuzz-live</c> with small counts: the running engine must neither crash nor hang, and must still serve afterwards.</summary>
public sealed class LiveFuzzTests
{
    [Fact]
    public async Task The_running_engine_survives_every_live_campaign_and_still_answers_OPTIONS_healthz_and_a_call()
    {
        var lines = new List<string>();
        var report = await LiveFuzzRun.RunAsync(new CampaignSizes(SipMessages: 3_000, MediaPackets: 3_000, ChatFrames: 300, WebhookBodies: 1_500),
            ["sip", "media", "chat", "webhooks"], Path.Combine(Corpora.FuzzRoot, "corpora"), lines.Add);
        var summary = string.Join(Environment.NewLine, lines);
        Assert.Equal(4, report.Campaigns.Count);
        Assert.All(report.Campaigns, c => Assert.True(c.Tried > 0, summary));
        Assert.All(report.Campaigns, c => Assert.True(c.Crashes == 0 && c.Hangs == 0, summary));
        Assert.True(report.Options, summary);
        Assert.True(report.Health, summary);
        Assert.True(report.Call, summary);
    }
}
