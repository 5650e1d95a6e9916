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

    [Fact]
    public async Task A_barely_sure_classifier_is_overruled_by_a_confident_reading_by_meaning_and_a_sure_one_is_not()
    {
        var airline = EngineHarness.Airline;
        var threshold = airline.Definition.Settings.ConfidenceThreshold;
        // A sentence the word classifier takes for a flow with a confidence just over the bot's threshold.
        var barely = new[] { "how hot is it in Delhi", "what's the temperature in Mumbai", "is it raining in Delhi today", "how hot is it in Mumbai" }
            .FirstOrDefault(t => airline.Classifier.Predict(t) is { Intent: "flight_status" or "rebook" } p && p.Confidence >= threshold && p.Confidence < SemanticIntentMatcher.ClassifierSure);
        Assert.True(barely is not null, "no candidate sentence falls in the classifier's unsure band any more: pick new ones");
        var sure = "is my flight delayed today";
        Assert.True(airline.Classifier.Predict(sure).Confidence >= SemanticIntentMatcher.ClassifierSure);

        // The stand-in encoder reads the unsure sentence as the "thanks a lot" example (cosine 1).
        var normalized = IntentClassifier.Normalize(barely).Trim();
        var embedder = new FakeEmbedder(new() { ["thanks a lot"] = [1, 0, 0], [string.Join(' ', normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries))] = [1, 0, 0] });
        var h = new EngineHarness(BotRuntime.LoadFolder(EngineHarness.BotsPath("airline"), embedder));
        var before = embedder.Sentences;
        var reply = await h.Say(Channel.WhatsApp, barely);
        Assert.True(h.Ephemeral.ActiveFlow is null, $"'{barely}' {airline.Classifier.Predict(barely)}, encoder asked {embedder.Sentences - before}: {reply.Text}");
        Assert.Contains("welcome", reply.Text, StringComparison.OrdinalIgnoreCase);

        var asked = embedder.Sentences;
        await h.Say(Channel.WhatsApp, sure);
        Assert.Equal(asked, embedder.Sentences); // sure: the encoder is not asked
        Assert.Equal("flight_status", h.Ephemeral.ActiveFlow);
    }
}
