using Switchboard.Speech;
using Switchboard.Speech.TurnTaking;

namespace Switchboard.Speech.Tests;

/// <summary>
/// Answering-machine detection on synthesised telephone audio: a short "hello" then silence is a person; a voicemail
/// greeting is a machine, and the message starts when its beep ends. Speech is never taken for the beep.
/// </summary>
[Collection(SpeechEnginesCollection.Name)]
public sealed class AnsweringMachineDetectorTests(SpeechEngines engines)
{
    private const string Greeting = "Hi, you have reached the voicemail of Sam Carter. I can't take your call right now. Please leave a message after the tone.";

    private static (List<(int Frame, AnsweringMachineEvent Event)> Events, AnsweringMachineDetector Detector) Run(short[] line)
    {
        var detector = new AnsweringMachineDetector(new AnsweringMachineOptions(), new TurnTakingOptions());
        var events = new List<(int, AnsweringMachineEvent)>();
        var frame = 0;
        foreach (var f in TelephoneLine.Frames(TelephoneLine.MuLawRoundTrip(line)))
        {
            var e = detector.Process(f.Span);
            if (e != AnsweringMachineEvent.None) events.Add((frame, e));
            frame++;
        }
        return (events, detector);
    }

    private static short[] Beep(double hz = 1000, double seconds = 0.5) =>
        [.. Enumerable.Range(0, (int)(seconds * 8000)).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * hz * i / 8000)))];

    [Fact]
    public async Task A_short_hello_then_silence_is_a_person()
    {
        var hello = await engines.Espeak.SynthesizeAllAsync("hello?");
        var line = SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(3), -60), hello, 2400);
        var (events, _) = Run(line);
        Assert.Equal([AnsweringMachineEvent.Human], events.Select(e => e.Event));
    }

    [Fact]
    public async Task A_voicemail_greeting_is_a_machine_and_the_message_starts_after_the_beep()
    {
        var greeting = await engines.Espeak.SynthesizeAllAsync(Greeting);
        var beepStart = 2400 + greeting.Length + 4000;
        var line = SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(greeting.Length / 8000.0 + 3), -60), greeting, 2400);
        line = SyntheticAudio.Mix(line, Beep(), beepStart);
        var (events, detector) = Run(line);
        Assert.Equal([AnsweringMachineEvent.Machine, AnsweringMachineEvent.RecordingStarted], events.Select(e => e.Event));
        // Decided during the greeting (not at its end), and the message waits for the end of the beep.
        Assert.True(events[0].Frame * 160 < 2400 + greeting.Length, $"machine at frame {events[0].Frame}");
        var beepEndFrame = (beepStart + 4000) / 160;
        Assert.InRange(events[1].Frame, beepEndFrame, beepEndFrame + 2);
        Assert.True(detector.BeepHeard);
    }

    [Fact]
    public async Task A_machine_without_a_beep_gets_the_message_after_a_long_silence()
    {
        var greeting = await engines.Espeak.SynthesizeAllAsync(Greeting);
        var line = SyntheticAudio.Mix(SyntheticAudio.Noise(TimeSpan.FromSeconds(greeting.Length / 8000.0 + 4), -60), greeting, 2400);
        var (events, detector) = Run(line);
        Assert.Equal([AnsweringMachineEvent.Machine, AnsweringMachineEvent.RecordingStarted], events.Select(e => e.Event));
        Assert.False(detector.BeepHeard);
    }

    [Fact]
    public void A_silent_line_is_undecided()
    {
        var (events, _) = Run(SyntheticAudio.Noise(TimeSpan.FromSeconds(4), -60));
        Assert.Equal([AnsweringMachineEvent.Silence], events.Select(e => e.Event));
    }

    [Fact]
    public async Task Speech_is_never_a_tone_and_a_sine_always_is()
    {
        var speech = TelephoneLine.MuLawRoundTrip(await engines.Espeak.SynthesizeAllAsync(Greeting));
        var toneFrames = TelephoneLine.Frames(speech).Count(f => ToneDetector.Detect(f.Span, -35) is not null);
        // Single sustained vowel frames may look tonal; a beep needs 5 frames in a row at one pitch.
        Assert.True(toneFrames <= 3, $"{toneFrames} speech frames looked like a tone");
        foreach (var hz in new[] { 440.0, 1000, 1400, 2000 })
        {
            var beep = TelephoneLine.MuLawRoundTrip(Beep(hz));
            var detected = TelephoneLine.Frames(beep).Select(f => ToneDetector.Detect(f.Span, -35)).ToList();
            Assert.All(detected, d => Assert.InRange(d ?? 0, hz - 40, hz + 40));
        }
    }
}
