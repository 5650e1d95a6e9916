using Microsoft.Extensions.DependencyInjection;
using Switchboard.Channels.Voice.Agent;
using Switchboard.Dialog;
using Switchboard.Grains.Dialog;
using Switchboard.Dialog.Stories;
using Switchboard.Grains.Dialog.Stories;

namespace Switchboard.Dialog.Tests;

[Collection(SiloCollection.Name)]
public sealed class StoryTests(SiloFixture fixture)
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Stories");

    private static readonly Lazy<List<Story>> All = new(() => Story.LoadFolder(Folder));

    public static TheoryData<string> Stories()
    {
        var data = new TheoryData<string>();
        foreach (var s in All.Value.Where(s => !s.HeldOut)) data.Add(s.Source);
        return data;
    }

    [Theory]
    [MemberData(nameof(Stories))]
    public async Task Story_plays_through_real_grains(string source)
    {
        var story = All.Value.Single(s => !s.HeldOut && s.Source == source);
        Assert.NotEmpty(story.Turns);
        var failures = await Player().Play(story);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Held-out stories are not tuned against, so single ones may fail; together they must keep the rate (the target,
    /// 95 %, is reported by <c>bench -- stories</c>). Every failure is in the message.
    /// </summary>
    [Fact]
    public async Task Held_out_stories_pass_at_ninety_percent_or_more()
    {
        var heldOut = All.Value.Where(s => s.HeldOut).ToList();
        Assert.NotEmpty(heldOut);
        var failures = new List<string>();
        var passed = 0;
        foreach (var story in heldOut)
        {
            var f = await Player().Play(story);
            if (f.Count == 0) passed++;
            failures.AddRange(f);
        }
        Assert.True(passed >= 0.9 * heldOut.Count, $"{passed}/{heldOut.Count} held-out stories pass:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    private StoryPlayer Player() =>
        new(fixture.Silo.App.Services.GetRequiredService<IGrainFactory>(), fixture.Silo.App.Services.GetRequiredService<DialogTrace>(),
            fixture.Silo.App.Services.GetRequiredService<DialogEngineProvider>(), VoiceRenderer.Speakable);

    [Fact]
    public void The_cross_channel_stories_are_there()
    {
        // The resume behaviour is proven by stories that cross WhatsApp, web chat and voice; make sure they are not lost.
        var names = All.Value.Select(s => s.Name).ToList();
        Assert.Contains("airline-whatsapp-web-voice", names);
        Assert.Contains("airline-call-us-from-whatsapp", names);
    }

    [Fact]
    public void At_least_eighty_stories_cover_both_bots_with_a_held_out_part()
    {
        var stories = All.Value;
        Assert.True(stories.Count >= 80, $"{stories.Count} stories");
        Assert.Contains(stories, s => s.Tenant == "autoservice" && s.HeldOut);
        Assert.Contains(stories, s => s.Tenant == "airline" && s.HeldOut);
        Assert.Equal(stories.Count, stories.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("You're on {result.flight}")]
    [InlineData("the card {{card:1111:3f9a2c7d1e}}")]
    [InlineData("Where to, {persona.name}?")]
    public void The_player_flags_an_unrendered_reply(string reply) =>
        Assert.Matches(StoryPlayer.Unrendered(), reply);

    [Fact]
    public void The_player_accepts_a_rendered_reply() =>
        Assert.DoesNotMatch(StoryPlayer.Unrendered(), "Done. You're on SW 221, the card ending 1111 {as promised}.");
}
