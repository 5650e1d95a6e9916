using Switchboard.Speech.Grammar;
using Switchboard.Speech.LanguageModel;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

[Collection(SpeechEnginesCollection.Name)]
public sealed class InterpolatedLanguageModelScratch(SpeechEngines engines, ITestOutputHelper output)
{
    private static readonly string[] Phrases =
    [
        "is my flight on time", "what's the status of my flight", "has my flight been delayed", "I missed my connection",
        "can you rebook me", "rebook my flight", "I want to change my booking", "change my booking to tomorrow",
        "cancel my booking", "I need a refund", "where is my baggage", "my bag did not arrive", "is SW 123 delayed",
    ];

    [Fact]
    public async Task Scratch()
    {
        var lm = DomainLanguageModel.Build(Phrases, engines.Recognizer.Dictionary.Contains);
        using var folder = new Switchboard.TestSupport.TempDirectory();
        var domain = lm.ToGrammar("open", folder.Path);
        var mixed = engines.Recognizer.OpenTurn(lm, "open", 0.8, folder.Path);
        var generic = engines.Recognizer.GenericOpenTurn();
        foreach (var s in new[] { "can you rebook my flight", "my bag was damaged", "I need a hotel tonight", "change my booking to friday", "my flight was cancelled", "I lost my bag", "where is my suitcase", "cancel my booking please" })
        {
            var audio = TelephoneLine.MuLawRoundTrip([.. new short[2400], .. await engines.Flite.SynthesizeAllAsync(s, "rms"), .. new short[4000]]);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var i = await Say(mixed, audio); var ti = sw.ElapsedMilliseconds; sw.Restart();
            var d = await Say(domain, audio); var td = sw.ElapsedMilliseconds; sw.Restart();
            var g = await Say(generic, audio); var tg = sw.ElapsedMilliseconds;
            output.WriteLine($"{s} | interp: {i} ({ti} ms) | domain: {d} ({td} ms) | generic: {g} ({tg} ms)");
        }
        output.WriteLine($"generic loads {engines.Recognizer.GenericModelLoads}");
    }

    private async Task<string> Say(SpeechGrammar grammar, short[] audio)
    {
        await using var stream = await engines.Recognizer.BeginUtteranceAsync(grammar);
        foreach (var frame in TelephoneLine.Frames(audio)) await stream.FeedAsync(frame);
        return (await stream.EndAsync()).Text;
    }
}
