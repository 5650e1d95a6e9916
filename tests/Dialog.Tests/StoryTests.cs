namespace Switchboard.Dialog.Tests;

[Collection(SiloCollection.Name)]
public sealed class StoryTests(SiloFixture fixture)
{
    public static TheoryData<string> Stories()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Stories"), "*.yaml").Order())
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Stories))]
    public async Task Story_plays_through_real_grains(string file)
    {
        var story = Story.Load(Path.Combine(AppContext.BaseDirectory, "Stories", file));
        Assert.NotEmpty(story.Turns);
        var failures = await new StoryRunner(fixture.Silo).Play(story);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void The_cross_channel_stories_are_there()
    {
        // The resume behaviour is proven by stories that cross WhatsApp, web chat and voice; make sure they are not lost.
        var names = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Stories"), "*.yaml").Select(Path.GetFileName).ToList();
        Assert.Contains("airline-whatsapp-web-voice.yaml", names);
        Assert.Contains("airline-call-us-from-whatsapp.yaml", names);
    }
}
