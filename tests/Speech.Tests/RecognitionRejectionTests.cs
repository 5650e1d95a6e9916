using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.PocketSphinx;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

/// <summary>
/// Rejection of grammar results a free phone loop explains much better (<see cref="PocketSphinxOptions.RejectionMargin"/>),
/// on flite's voices: a different synthesiser from the espeak-ng voices the margin was chosen on.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class RecognitionRejectionTests(SpeechEngines engines, ITestOutputHelper output) : IDisposable
{
    /// <summary>The margin the option's documentation was measured at.</summary>
    private readonly PocketSphinxSpeechToText _checked = new(new PocketSphinxOptions { WarmDecoders = 1, RejectionMargin = 25 }, NullLogger<PocketSphinxSpeechToText>.Instance);

    private static readonly string[] FliteVoices = ["rms", "slt", "awb", "kal16"];

    /// <summary>What callers say that no turn of <see cref="RecognitionAccuracyTests.Turns"/> expects.</summary>
    private static readonly string[] OutOfGrammar =
    [
        "hold on a second", "can you repeat that", "my name is John Smith", "I am calling about my refund",
        "hello is anyone there", "let me think about it", "the baby is crying", "I lost my glasses",
    ];

    [Fact]
    public async Task Out_of_grammar_speech_is_rejected_while_the_turns_answers_are_still_taken()
    {
        Assert.True(_checked.IsAvailable, _checked.UnavailableReason);
        Assert.True(engines.Flite.IsAvailable, engines.Flite.UnavailableReason);
        int answers = 0, right = 0, offGrammar = 0, noMatch = 0;
        foreach (var voice in FliteVoices)
        {
            foreach (var (grammar, expected) in RecognitionAccuracyTests.Turns)
            {
                foreach (var (said, value) in expected)
                {
                    var result = await RecogniseAsync(_checked, said, voice, grammar);
                    answers++;
                    if (result.Value == value) right++;
                    else output.WriteLine($"  [{voice}] {grammar.Name}: said '{said}' → {result.Value ?? "no match"} (confidence {result.Confidence:F2})");
                }
                foreach (var said in OutOfGrammar)
                {
                    var result = await RecogniseAsync(_checked, said, voice, grammar);
                    offGrammar++;
                    if (result.IsNoMatch) noMatch++;
                }
            }
        }
        var rejected = _checked.RejectedResults;
        output.WriteLine($"answers right {right}/{answers}; out-of-grammar sentences with no match {noMatch}/{offGrammar}, {rejected} of them by the phone-loop check");
        Assert.True(right >= 0.95 * answers, $"only {right}/{answers} answers right with rejection on");
        // Measured 49/128 (0 without the check, which is what the grammar search alone gives on these sentences).
        Assert.True(noMatch >= 0.25 * offGrammar, $"only {noMatch}/{offGrammar} out-of-grammar sentences rejected");
        Assert.True(rejected >= noMatch * 0.8, $"the check rejected {rejected} of the {noMatch} no-matches");
    }

    [Fact]
    public async Task Without_a_margin_the_grammar_takes_its_nearest_phrase_and_with_one_it_is_a_no_match()
    {
        // "can you repeat that" on the menu: the grammar alone hears "option two" (measured 57 log units per frame below the phone loop).
        var menu = RecognitionAccuracyTests.Turns[1].Grammar;
        Assert.Null(new PocketSphinxOptions().RejectionMargin); // the default: no check
        var guess = await RecogniseAsync(engines.Recognizer, "can you repeat that", "rms", menu);
        Assert.NotNull(guess.Value);
        Assert.Equal(0, engines.Recognizer.RejectedResults);

        var result = await RecogniseAsync(_checked, "can you repeat that", "rms", menu);
        Assert.True(result.IsNoMatch, $"heard '{result.Text}' → {result.Value}");
        Assert.True(result.Confidence < 0.5, $"confidence {result.Confidence:F2}");
        Assert.Equal(1, _checked.RejectedResults);
    }

    [Fact]
    public async Task An_answer_the_grammar_fits_keeps_its_value_with_the_check_on()
    {
        var result = await RecogniseAsync(_checked, "change my booking", "rms", RecognitionAccuracyTests.Turns[1].Grammar);
        Assert.Equal("change my booking", result.Value);
        Assert.True(result.Confidence >= 0.5, $"confidence {result.Confidence:F2}");
        Assert.Equal(0, _checked.RejectedResults);
    }

    [Fact]
    public async Task With_one_decoder_of_each_kind_a_second_utterance_waits_for_the_first_and_then_gets_both()
    {
        using var recognizer = new PocketSphinxSpeechToText(new PocketSphinxOptions { WarmDecoders = 1, MaxDecoders = 1, RejectionMargin = 25 }, NullLogger<PocketSphinxSpeechToText>.Instance);
        var menu = RecognitionAccuracyTests.Turns[1].Grammar;
        var speech = await engines.Flite.SynthesizeAllAsync("lost baggage", "rms");
        var line = TelephoneLine.Answer(speech);

        var first = await recognizer.BeginUtteranceAsync(menu);
        var second = recognizer.BeginUtteranceAsync(menu).AsTask();
        Assert.False(second.IsCompleted); // both pools are empty while the first utterance runs
        foreach (var frame in TelephoneLine.Frames(line)) await first.FeedAsync(frame);
        Assert.Equal("lost baggage", (await first.EndAsync()).Value);
        await using var next = await second.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var frame in TelephoneLine.Frames(line)) await next.FeedAsync(frame);
        Assert.Equal("lost baggage", (await next.EndAsync()).Value);
        await first.DisposeAsync();
    }

    public void Dispose() => _checked.Dispose();

    /// <summary>flite speech at 8 kHz through a µ-law phone line, with silence either side, recognised frame by frame.</summary>
    private async Task<RecognitionResult> RecogniseAsync(PocketSphinxSpeechToText recognizer, string said, string voice, SpeechGrammar grammar)
    {
        var speech = await engines.Flite.SynthesizeAllAsync(said, voice);
        var line = TelephoneLine.Answer(speech);
        await using var stream = await recognizer.BeginUtteranceAsync(grammar);
        foreach (var frame in TelephoneLine.Frames(line)) await stream.FeedAsync(frame);
        return await stream.EndAsync();
    }
}
