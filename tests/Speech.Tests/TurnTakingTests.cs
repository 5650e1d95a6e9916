using Switchboard.Speech;
using Switchboard.Speech.Audio;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.TurnTaking;
using Xunit.Abstractions;

namespace Switchboard.Speech.Tests;

[Collection(SpeechEnginesCollection.Name)]
public sealed class TurnTakingTests(SpeechEngines engines, ITestOutputHelper output)
{
    private readonly TurnTakingOptions _options = new();

    [Fact]
    public async Task Speech_followed_by_silence_ends_the_utterance_after_the_end_silence()
    {
        var speech = await engines.Espeak.SynthesizeAllAsync("change my booking please");
        var lead = 4000; // 0.5 s of line noise first
        var line = SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(3), -60), speech, lead);
        var vad = new VoiceActivityDetector(_options);
        var utterance = new EndOfUtteranceDetector(_options);
        int started = -1, ended = -1, frame = 0;
        foreach (var f in TelephoneLine.Frames(line))
        {
            switch (utterance.Process(vad.Process(f.Span).IsSpeech))
            {
                case UtteranceEvent.SpeechStarted: started = frame; break;
                case UtteranceEvent.EndOfUtterance: ended = frame; break;
                case UtteranceEvent.NoInput or UtteranceEvent.MaxUtterance: Assert.Fail("wrong ending"); break;
            }
            frame++;
        }
        var speechFirstFrame = lead / 160;
        var speechLastFrame = LastLoudFrame(line);
        output.WriteLine($"speech frames {speechFirstFrame}..{speechLastFrame}; detected start {utterance.SpeechStartFrame} (event at {started}), end {utterance.SpeechEndFrame} (event at {ended})");
        Assert.InRange(utterance.SpeechStartFrame, speechFirstFrame, speechFirstFrame + 5);
        Assert.Equal(utterance.SpeechStartFrame + _options.OnsetFrames - 1, started);
        Assert.InRange(utterance.SpeechEndFrame, speechLastFrame - 3, speechLastFrame + 1);
        Assert.Equal(utterance.SpeechEndFrame + TurnTakingOptions.Frames(_options.EndSilence) - 1, ended);
    }

    [Fact]
    public void A_complete_answer_ends_the_utterance_after_the_shorter_silence()
    {
        var utterance = new EndOfUtteranceDetector(_options);
        for (var i = 0; i < 10; i++) utterance.Process(true);
        var events = Enumerable.Range(0, 40).Select(_ => utterance.Process(false, hypothesisComplete: true)).ToList();
        Assert.Equal(TurnTakingOptions.Frames(_options.EndSilenceWhenComplete) - 1, events.IndexOf(UtteranceEvent.EndOfUtterance));
        Assert.Equal(10, utterance.SpeechEndFrame);
    }

    [Fact]
    public void Line_noise_alone_is_no_input_after_the_timeout()
    {
        var vad = new VoiceActivityDetector(_options);
        var utterance = new EndOfUtteranceDetector(_options);
        var line = SyntheticAudio.Noise(TimeSpan.FromSeconds(8), -50);
        var events = TelephoneLine.Frames(line).Select(f => utterance.Process(vad.Process(f.Span).IsSpeech)).ToList();
        Assert.DoesNotContain(UtteranceEvent.SpeechStarted, events);
        Assert.Equal(TurnTakingOptions.Frames(_options.NoInputTimeout) - 1, events.IndexOf(UtteranceEvent.NoInput));
        Assert.Single(events, e => e != UtteranceEvent.None);
    }

    [Fact]
    public void A_click_shorter_than_the_onset_does_not_start_an_utterance()
    {
        var utterance = new EndOfUtteranceDetector(_options);
        var pattern = new[] { false, true, true, false, false, true, false };
        Assert.All(pattern, s => Assert.Equal(UtteranceEvent.None, utterance.Process(s)));
        Assert.False(utterance.InSpeech);
    }

    [Fact]
    public void Talking_on_and_on_is_cut_at_the_maximum_utterance()
    {
        var options = new TurnTakingOptions { MaxUtterance = TimeSpan.FromSeconds(1) };
        var utterance = new EndOfUtteranceDetector(options);
        var events = Enumerable.Range(0, 200).Select(_ => utterance.Process(true)).ToList();
        Assert.Equal(49, events.IndexOf(UtteranceEvent.MaxUtterance));
        Assert.Equal(0, utterance.SpeechStartFrame);
    }

    [Fact]
    public async Task Customer_speech_during_a_prompt_stops_it_within_two_frames_and_the_prompt_echo_does_not()
    {
        var prompt = await engines.Espeak.SynthesizeAllAsync("Please tell me which city you are flying to. You can also say agent at any time.");
        var echo = SyntheticAudio.Scale(prompt, 0.01); // the handset's echo of our own prompt, ~40 dB down
        var customer = await engines.Espeak.SynthesizeAllAsync("speak to an agent", "en+f3");
        var offset = 12_000; // the customer starts 1.5 s into the prompt
        var inbound = SyntheticAudio.Mix(SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(4), -60), echo, 0), customer, offset);

        var vad = new VoiceActivityDetector(_options);
        var bargeIn = new BargeInPolicy(_options);
        var stopFrame = -1;
        var frame = 0;
        foreach (var f in TelephoneLine.Frames(inbound))
        {
            if (bargeIn.ShouldStopPrompt(vad.Process(f.Span), promptPlaying: stopFrame < 0) && stopFrame < 0) stopFrame = frame;
            frame++;
        }
        var onset = FirstLoudFrame(customer, _options.BargeInMinimumDbfs) + offset / 160;
        output.WriteLine($"customer speech loud from frame {onset}; prompt stopped at frame {stopFrame}: barge-in latency {(stopFrame - onset + 1) * 20} ms");
        Assert.True(stopFrame >= onset, "the prompt's own echo stopped the prompt");
        Assert.InRange(stopFrame, onset, onset + 2);
    }

    [Fact]
    public async Task A_prompt_that_must_be_heard_in_full_is_not_interrupted()
    {
        var customer = await engines.Espeak.SynthesizeAllAsync("yes yes yes");
        var vad = new VoiceActivityDetector(_options);
        var bargeIn = new BargeInPolicy(_options);
        Assert.DoesNotContain(TelephoneLine.Frames(customer), f => bargeIn.ShouldStopPrompt(vad.Process(f.Span), promptPlaying: true, promptInterruptible: false));
        Assert.True(BargeInPolicy.ShouldStopPromptOnDigit(promptPlaying: true));
        Assert.False(BargeInPolicy.ShouldStopPromptOnDigit(promptPlaying: true, promptInterruptible: false));
    }

    [Fact]
    public async Task A_listening_turn_barges_in_recognises_and_ends_on_its_own()
    {
        var grammar = new GrammarBuilder().YesNo().Intent("agent", ["speak to an agent", "talk to a person"]).Build("confirm");
        var prompt = await engines.Espeak.SynthesizeAllAsync("Shall I book the four PM flight to Mumbai?");
        var customer = TelephoneLine.MuLawRoundTrip(await engines.Espeak.SynthesizeAllAsync("speak to an agent", "en+m3"));
        var offset = 8_000; // 1 s into the prompt
        var inbound = SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(6), -60), customer, offset);

        await using var turn = await ListeningTurn.StartAsync(engines.Recognizer, grammar, _options);
        var promptPlaying = true;
        var playedFrames = 0;
        var stoppedAt = -1;
        var started = false;
        var partials = 0;
        RecognitionResult? result = null;
        var frame = 0;
        var endedAt = -1;
        foreach (var f in TelephoneLine.Frames(inbound))
        {
            if (promptPlaying && ++playedFrames * 160 >= prompt.Length) promptPlaying = false; // the prompt ends by itself
            var update = await turn.OnFrameAsync(f, promptPlaying);
            if (update.StopPrompt) { promptPlaying = false; stoppedAt = frame; }
            started |= update.Event == UtteranceEvent.SpeechStarted;
            if (update.Partial is not null) partials++;
            if (update.IsFinished)
            {
                Assert.Equal(UtteranceEvent.EndOfUtterance, update.Event);
                result = update.Result;
                endedAt = frame;
                break;
            }
            frame++;
        }
        output.WriteLine($"stopped prompt at frame {stoppedAt} (speech inserted at {offset / 160}), heard '{result?.Text}', {partials} partials");
        Assert.InRange(stoppedAt, offset / 160, offset / 160 + 10);
        Assert.True(started);
        Assert.NotNull(result);
        Assert.Equal("agent", result.Value);
        Assert.True(partials >= 1);
        // "speak to an agent" is a complete answer: the turn ends on the shorter silence window.
        // (The detector's frame count skips the quiet frames heard while the prompt played.)
        Assert.True(endedAt > 0);
        Assert.Equal(TurnTakingOptions.Frames(_options.EndSilenceWhenComplete), turn.Utterance.Frame - turn.Utterance.SpeechEndFrame);
    }

    [Fact]
    public async Task A_silent_listening_turn_reports_no_input_and_frees_its_decoder()
    {
        var grammar = new GrammarBuilder().YesNo().Build();
        var options = new TurnTakingOptions { NoInputTimeout = TimeSpan.FromSeconds(1) };
        var silence = TelephoneLine.Silence(TimeSpan.FromSeconds(2));
        for (var round = 0; round < 3; round++) // a leaked decoder would show as more decoders loaded
        {
            await using var turn = await ListeningTurn.StartAsync(engines.Recognizer, grammar, options);
            var events = new List<UtteranceEvent>();
            foreach (var f in TelephoneLine.Frames(silence))
            {
                var update = await turn.OnFrameAsync(f, promptPlaying: false);
                events.Add(update.Event);
                if (update.IsFinished) break;
            }
            Assert.Equal(UtteranceEvent.NoInput, events[^1]);
            Assert.Equal(50, events.Count);
        }
        Assert.True(engines.Recognizer.LoadedDecoders <= 3, $"{engines.Recognizer.LoadedDecoders} decoders loaded");
    }

    private static int LastLoudFrame(short[] audio)
    {
        for (var f = audio.Length / 160 - 1; f >= 0; f--)
            if (TelephoneAudio.LevelDbfs(audio.AsSpan(f * 160, 160)) > -45) return f;
        return -1;
    }

    private static int FirstLoudFrame(short[] audio, double dbfs)
    {
        for (var f = 0; f < audio.Length / 160; f++)
            if (TelephoneAudio.LevelDbfs(audio.AsSpan(f * 160, 160)) >= dbfs) return f;
        return -1;
    }
}
