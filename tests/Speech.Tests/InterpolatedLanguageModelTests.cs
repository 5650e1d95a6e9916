using Switchboard.Speech.Grammar;
using Switchboard.Speech.LanguageModel;

namespace Switchboard.Speech.Tests;

/// <summary>
/// The open-turn model interpolated from the bot's domain trigram model and the generic English model: pocketsphinx
/// builds the set, and on telephone audio it hears sentences with words the domain model lacks (which the domain model
/// alone cannot say) while keeping the domain phrase the generic model mishears.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class InterpolatedLanguageModelTests(SpeechEngines engines)
{
    private static readonly string[] Phrases =
    [
        "is my flight on time", "what's the status of my flight", "has my flight been delayed", "I missed my connection",
        "can you rebook me", "rebook my flight", "I want to change my booking", "change my booking to tomorrow",
        "cancel my booking", "I need a refund", "where is my baggage", "my bag did not arrive", "is SW 123 delayed",
    ];

    [Fact]
    public async Task The_interpolated_model_hears_more_sentences_than_the_domain_or_the_generic_model_alone()
    {
        var lm = DomainLanguageModel.Build(Phrases, engines.Recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var interpolated = engines.Recognizer.OpenTurn(lm, "open", 0.8, folder.Path);
        Assert.True(File.Exists(interpolated.BackgroundLanguageModelFile), interpolated.BackgroundLanguageModelFile);
        var domain = lm.ToGrammar("open", folder.Path);
        var generic = engines.Recognizer.GenericOpenTurn();

        // The first is no training phrase but all domain words (the generic model heard "can you were booked my flight");
        // the others have words the domain model lacks ("was", "damaged", "hotel", "tonight", "lost").
        string[] sentences = ["can you rebook my flight", "my bag was damaged", "I need a hotel tonight", "I lost my bag"];
        int interpolatedRight = 0, domainRight = 0, genericRight = 0;
        string heard = "";
        foreach (var sentence in sentences)
        {
            var audio = TelephoneLine.MuLawRoundTrip([.. new short[2400], .. await engines.Flite.SynthesizeAllAsync(sentence, "rms"), .. new short[4000]]);
            var expected = SpokenText.Phrase(sentence);
            var mixed = await RecogniseAsync(interpolated, audio);
            heard += $"\n{sentence}: interpolated '{mixed}'";
            if (mixed == expected) interpolatedRight++;
            if (await RecogniseAsync(domain, audio) == expected) domainRight++;
            if (await RecogniseAsync(generic, audio) == expected) genericRight++;
        }
        Assert.True(interpolatedRight >= 3, $"{interpolatedRight} of {sentences.Length} right:{heard}");
        Assert.True(interpolatedRight > domainRight, $"interpolated {interpolatedRight}, domain alone {domainRight}:{heard}");
        Assert.True(interpolatedRight >= genericRight, $"interpolated {interpolatedRight}, generic alone {genericRight}:{heard}");
        Assert.InRange(engines.Recognizer.GenericModelLoads.Reads, 1, engines.Recognizer.LoadedDecoders); // once per decoder at most
    }

    [Fact]
    public void The_weight_is_part_of_the_model_and_one_means_the_domain_model_alone()
    {
        var lm = DomainLanguageModel.Build(Phrases, engines.Recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var alone = engines.Recognizer.OpenTurn(lm, "open", 1, folder.Path);
        Assert.Null(alone.BackgroundLanguageModelFile);
        Assert.Equal(lm.ToGrammar("open", folder.Path).Key, alone.Key);
        var a = engines.Recognizer.OpenTurn(lm, "open", 0.8, folder.Path);
        var b = engines.Recognizer.OpenTurn(lm, "open", 0.7, folder.Path);
        Assert.Equal(0.8, a.DomainWeight);
        Assert.NotEqual(a.Key, b.Key);
        Assert.NotEqual(alone.Key, a.Key);
        Assert.Equal(a.Key, engines.Recognizer.OpenTurn(lm, "other name", 0.8, folder.Path).Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterpolatedLanguageModel(lm, a.BackgroundLanguageModelFile!, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InterpolatedLanguageModel(lm, a.BackgroundLanguageModelFile!, 1.5));
    }

    [Fact]
    public async Task A_decoder_keeps_at_most_its_budget_of_interpolated_models_and_rebuilds_an_evicted_one()
    {
        using var recognizer = new PocketSphinx.PocketSphinxSpeechToText(
            new PocketSphinx.PocketSphinxOptions { WarmDecoders = 1, MaxDecoders = 1, OpenTurnModelsPerDecoder = 1 },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PocketSphinx.PocketSphinxSpeechToText>.Instance);
        recognizer.Warm();
        var lm = DomainLanguageModel.Build(Phrases, recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var first = recognizer.OpenTurn(lm, "a", 0.8, folder.Path);
        var second = recognizer.OpenTurn(lm, "b", 0.7, folder.Path);
        var audio = TelephoneLine.MuLawRoundTrip([.. new short[2400], .. await engines.Flite.SynthesizeAllAsync("I lost my bag", "rms"), .. new short[4000]]);

        // "lost" is no word of the domain model: hearing it shows the set with the generic model searched. (The last word
        // varies with the fresh decoder's cepstral mean: "bag" or "baggage".)
        Assert.StartsWith("i lost my", await RecogniseAsync(first, audio, recognizer));
        Assert.Equal(1, recognizer.InterpolatedOpenTurnModels);
        await RecogniseAsync(second, audio, recognizer);
        Assert.Equal(1, recognizer.InterpolatedOpenTurnModels); // the first was unset
        Assert.StartsWith("i lost my", await RecogniseAsync(first, audio, recognizer)); // and is built again
        Assert.Equal(1, recognizer.InterpolatedOpenTurnModels);
        Assert.Equal(1, recognizer.GenericModelLoads.Reads); // the generic model was read once for the three sets
    }

    [Fact]
    public async Task The_open_turn_insertion_penalty_applies_to_the_interpolated_search_only()
    {
        // A prohibitive word insertion penalty (-wip) for open turns: the interpolated search then hears (almost) no
        // words, while a grammar turn compiled after it on the same decoder keeps the decoder's penalty and hears its phrase.
        using var recognizer = new PocketSphinx.PocketSphinxSpeechToText(
            new PocketSphinx.PocketSphinxOptions { WarmDecoders = 1, MaxDecoders = 1, OpenTurnInsertionPenalty = 1e-40 },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PocketSphinx.PocketSphinxSpeechToText>.Instance);
        recognizer.Warm();
        var lm = DomainLanguageModel.Build(Phrases, recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var sentence = "where is my baggage";
        var audio = TelephoneLine.MuLawRoundTrip([.. new short[2400], .. await engines.Flite.SynthesizeAllAsync(sentence, "rms"), .. new short[4000]]);

        var penalised = await RecogniseAsync(recognizer.OpenTurn(lm, "open", 0.8, folder.Path), audio, recognizer);
        var usual = await RecogniseAsync(engines.Recognizer.OpenTurn(lm, "open", 0.8, folder.Path), audio);
        Assert.True(SpokenText.Words(penalised).Count < SpokenText.Words(usual).Count, $"penalised '{penalised}', usual '{usual}'");

        var menu = new GrammarBuilder().Menu(["check flight status", "where is my baggage", "speak to an agent"]).Build("menu");
        Assert.Equal(sentence, await RecogniseAsync(menu, audio, recognizer));
    }

    private async Task<string> RecogniseAsync(SpeechGrammar grammar, short[] audio, PocketSphinx.PocketSphinxSpeechToText? recognizer = null)
    {
        await using var stream = await (recognizer ?? engines.Recognizer).BeginUtteranceAsync(grammar);
        foreach (var frame in TelephoneLine.Frames(audio)) await stream.FeedAsync(frame);
        return SpokenText.Phrase((await stream.EndAsync()).Text);
    }
}
