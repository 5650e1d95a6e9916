using Switchboard.Dialog;
using Switchboard.Dialog.Nlu;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Dialog.Tests;

public sealed class SemanticIntentTests
{
    /// <summary>An encoder stand-in: fixed vectors for known sentences, zero for the rest; counts the sentences it encodes.</summary>
    private sealed class FakeEmbedder(Dictionary<string, float[]> vectors) : ISentenceEmbedder
    {
        public int Sentences;

        public float[][] Embed(string[] sentences)
        {
            Interlocked.Add(ref Sentences, sentences.Length);
            return sentences.Select(s => vectors.TryGetValue(s.Trim(), out var v) ? v : new float[3]).ToArray();
        }
    }

    [Fact]
    public void The_intent_of_the_nearest_example_by_meaning_wins()
    {
        var embedder = new FakeEmbedder(new()
        {
            ["call me"] = [1, 0, 0],
            ["help"] = [0, 1, 0],
            ["ring me please"] = [0.9f, 0.2f, 0],
        });
        var matcher = new SemanticIntentMatcher(embedder, [("call me", "call_us"), ("help", "help")]);
        var p = matcher.Predict("ring me please");
        Assert.Equal("call_us", p.Intent);
        Assert.True(p.Confidence > 0.9, $"{p.Confidence}");
    }

    [Fact]
    public void Words_are_needed_emoji_alone_are_never_encoded()
    {
        var embedder = new FakeEmbedder([]);
        var matcher = new SemanticIntentMatcher(embedder, [("call me", "call_us")]);
        var before = embedder.Sentences;
        Assert.Null(matcher.Predict("🙂🙂 !!").Intent);
        Assert.Equal(before, embedder.Sentences);
    }

    [Fact]
    public async Task The_engine_asks_the_encoder_only_where_the_classifier_is_unsure()
    {
        var embedder = new FakeEmbedder(new() { ["thx a lot"] = [1, 0, 0], ["thanks a lot"] = [1, 0, 0] });
        var bot = BotRuntime.LoadFolder(EngineHarness.BotsPath("airline"), embedder);
        var h = new EngineHarness(bot);
        var afterTraining = embedder.Sentences;

        await h.Say(Channel.WhatsApp, "is my flight delayed today");
        Assert.Equal(afterTraining, embedder.Sentences);
        await h.Say(Channel.WhatsApp, "cancel");

        var reply = await h.Say(Channel.WhatsApp, "thx a lot");
        Assert.Equal(afterTraining + 1, embedder.Sentences);
        Assert.Contains("welcome", reply.Text, StringComparison.OrdinalIgnoreCase);
    }
}
