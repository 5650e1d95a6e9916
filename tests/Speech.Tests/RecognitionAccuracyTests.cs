using Switchboard.Speech;
using Switchboard.Speech.Grammar;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

[Collection(SpeechEnginesCollection.Name)]
public sealed class RecognitionAccuracyTests(SpeechEngines engines, ITestOutputHelper output)
{
    internal static readonly string[] Voices = ["en-us", "en", "en+f3", "en+m3", "en-gb-x-rp", "en+f2"];

    private static readonly string[] Cities = ["Mumbai", "Delhi", "Bangalore", "Chennai", "London", "Dubai", "Singapore", "Hyderabad"];

    /// <summary>Dialog turns as the flows have them: what the turn expects, and what the customer says with its meaning.</summary>
    internal static readonly (SpeechGrammar Grammar, (string Said, string Value)[] Answers)[] Turns =
    [
        (new GrammarBuilder().YesNo().Intent("agent", ["speak to an agent", "talk to a person"]).Build("confirm"),
            [("yes", "yes"), ("no", "no"), ("yes please", "yes"), ("no thank you", "no"), ("that's right", "yes"), ("talk to a person", "agent")]),
        (new GrammarBuilder().Menu(["check flight status", "change my booking", "lost baggage", "speak to an agent"]).Build("main-menu"),
            [("change my booking", "change my booking"), ("lost baggage", "lost baggage"), ("option one", "check flight status"), ("speak to an agent", "speak to an agent")]),
        (new GrammarBuilder().Enumeration(Cities).Build("destination"),
            [("Mumbai", "Mumbai"), ("Singapore", "Singapore"), ("Hyderabad", "Hyderabad"), ("London", "London"), ("Chennai", "Chennai")]),
        (new GrammarBuilder()
            .Intent("book_flight", ["i want to book a flight", "book a flight", "i need a ticket"])
            .Intent("flight_status", ["where is my flight", "is my flight on time", "flight status"])
            .Intent("cancel", ["cancel my booking", "i want to cancel"]).Build("intent"),
            [("I want to book a flight", "book_flight"), ("is my flight on time", "flight_status"), ("cancel my booking", "cancel")]),
    ];

    /// <summary>
    /// Spoken digit strings: measured, not asserted. The shipped wideband model hears espeak-ng's and flite's "six" and
    /// "seven" as other digits even at 16 kHz (the /s/ lives above the telephone band), so digit turns lean on DTMF.
    /// </summary>
    internal static readonly (SpeechGrammar Grammar, (string Said, string Value)[] Answers) DigitTurn =
        (new GrammarBuilder().Digits(4, 8).Build("booking-number"),
            [("4 5 6 7", "4567"), ("1 2 3 4", "1234"), ("9 0 8 2", "9082"), ("3 1 4 1 5", "31415")]);

    [Fact]
    public async Task Grammar_turns_recognise_synthetic_telephone_speech_over_several_voices()
    {
        Assert.True(engines.Recognizer.IsAvailable, engines.Recognizer.UnavailableReason);
        Assert.True(engines.Espeak.IsAvailable, engines.Espeak.UnavailableReason);
        int phrases = 0, right = 0, words = 0, wordErrors = 0;
        foreach (var voice in Voices)
        {
            int voicePhrases = 0, voiceRight = 0;
            foreach (var (grammar, answers) in Turns)
            {
                foreach (var (said, value) in answers)
                {
                    var result = await RecogniseAsync(said, voice, grammar);
                    var expected = SpokenText.Words(said);
                    var errors = WordErrorRate.Errors(expected, SpokenText.Words(result.Text));
                    phrases++; voicePhrases++;
                    words += expected.Count;
                    wordErrors += errors;
                    if (result.Value == value) { right++; voiceRight++; }
                    else output.WriteLine($"  [{voice}] {grammar.Name}: said '{said}' heard '{result.Text}' → {result.Value ?? "no match"} (confidence {result.Confidence:F2})");
                }
            }
            output.WriteLine($"voice {voice,-6}: {voiceRight}/{voicePhrases} phrases right");
        }
        var digitsRight = 0;
        foreach (var voice in Voices)
        {
            foreach (var (said, value) in DigitTurn.Answers)
            {
                var result = await RecogniseAsync(said, voice, DigitTurn.Grammar);
                if (result.Value == value) digitsRight++;
            }
        }
        output.WriteLine($"spoken digit strings (not asserted, DTMF is the dependable path): {digitsRight}/{Voices.Length * DigitTurn.Answers.Length} right");
        var wer = (double)wordErrors / words;
        var accuracy = (double)right / phrases;
        output.WriteLine($"all voices: {right}/{phrases} phrases right ({accuracy:P1}), word error rate {wer:P1} over {words} words");
        Assert.True(accuracy >= 0.92, $"only {accuracy:P1} of grammar phrases right");
        Assert.True(wer <= 0.10, $"word error rate {wer:P1}");
    }

    /// <summary>espeak-ng speech at 8 kHz through a µ-law phone line, with silence either side, recognised frame by frame.</summary>
    private async Task<RecognitionResult> RecogniseAsync(string said, string voice, SpeechGrammar grammar)
    {
        var speech = await engines.Espeak.SynthesizeAllAsync(said, voice);
        var line = TelephoneLine.Answer(speech);
        await using var stream = await engines.Recognizer.BeginUtteranceAsync(grammar);
        foreach (var frame in TelephoneLine.Frames(line)) await stream.FeedAsync(frame);
        return await stream.EndAsync();
    }
}
