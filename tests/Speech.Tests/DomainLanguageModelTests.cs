using Switchboard.Speech;
using Switchboard.Speech.LanguageModel;

namespace Switchboard.Speech.Tests;

/// <summary>
/// The bot's domain trigram model: a proper ARPA model (next-word probabilities sum to one after every context),
/// in-domain sentences score far above the same words shuffled, and pocketsphinx loads it and recognises a phrase
/// the model has never seen whole (a new combination of its n-grams) on telephone audio.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class DomainLanguageModelTests(SpeechEngines engines)
{
    private static readonly string[] Phrases =
    [
        "is my flight on time", "what's the status of my flight", "has my flight been delayed", "I missed my connection",
        "can you rebook me", "rebook my flight", "I want to change my booking", "change my booking to tomorrow",
        "cancel my booking", "I need a refund", "where is my baggage", "my bag did not arrive", "is SW 123 delayed",
    ];

    [Fact]
    public void The_model_is_normalised_after_every_context()
    {
        var lm = DomainLanguageModel.Build(Phrases);
        var arpa = ArpaReader.Parse(lm.Arpa);
        string[][] contexts = [[], ["<s>"], ["my"], ["<s>", "is"], ["change", "my"], ["my", "booking"], ["the", "status"]];
        var vocabulary = lm.Vocabulary.Append("</s>").ToList();
        foreach (var context in contexts)
        {
            var total = vocabulary.Sum(w => Math.Pow(10, arpa.LogProbability(context, w)));
            Assert.InRange(total, 0.999, 1.001);
        }
        Assert.Contains("one two three", string.Join(' ', lm.Vocabulary)); // "SW 123" is spoken digit by digit
    }

    [Fact]
    public void In_domain_word_order_scores_far_above_the_same_words_shuffled()
    {
        var lm = DomainLanguageModel.Build(Phrases);
        Assert.True(lm.Log10Probability("change my booking to tomorrow") > lm.Log10Probability("tomorrow booking to my change") + 3);
        Assert.Throws<ArgumentException>(() => DomainLanguageModel.Build(["xyzzy plugh"], w => w != "xyzzy"));
    }

    [Fact]
    public async Task Pocketsphinx_decodes_an_open_turn_with_the_domain_model()
    {
        var lm = DomainLanguageModel.Build(Phrases, engines.Recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var grammar = lm.ToGrammar("open", folder.Path);
        Assert.True(File.Exists(grammar.LanguageModelFile));
        // Not a training phrase: it joins "can you rebook" and "rebook my flight" through their shared trigram history.
        var audio = TelephoneLine.MuLawRoundTrip([.. new short[2400], .. await engines.Flite.SynthesizeAllAsync("can you rebook my flight", "rms"), .. new short[4000]]);
        await using var stream = await engines.Recognizer.BeginUtteranceAsync(grammar);
        foreach (var frame in TelephoneLine.Frames(audio)) await stream.FeedAsync(frame);
        var result = await stream.EndAsync();
        Assert.Equal("can you rebook my flight", result.Value);
    }
}
