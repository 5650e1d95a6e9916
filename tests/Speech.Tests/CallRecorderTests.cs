using System.Buffers.Binary;
using Switchboard.Speech;
using Switchboard.Speech.Recording;
using Switchboard.TestSupport;

namespace Switchboard.Speech.Tests;

[Collection(SpeechEnginesCollection.Name)]
public sealed class CallRecorderTests(SpeechEngines engines)
{
    [Fact]
    public async Task Pausing_while_card_digits_are_spoken_leaves_silence_in_the_wav_and_keeps_the_rest()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "call.wav");
        var agent = await engines.Espeak.SynthesizeAllAsync("Please say or key your card number now.");
        var card = await engines.Espeak.SynthesizeAllAsync("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "en+f3");
        var after = await engines.Espeak.SynthesizeAllAsync("thank you", "en+f3");

        long pauseStart, pauseEnd;
        using (var recorder = new CallRecorder(File.Create(path)))
        {
            foreach (var f in TelephoneLine.Frames(agent)) recorder.Append([], f.Span);
            recorder.Pause(RecordingPauseReason.CardNumber);
            pauseStart = recorder.Samples;
            foreach (var f in TelephoneLine.Frames(card)) recorder.Append(f.Span, []);
            recorder.Pause(RecordingPauseReason.Other); // already paused: the first reason stays
            recorder.Resume();
            pauseEnd = recorder.Samples;
            foreach (var f in TelephoneLine.Frames(after)) recorder.Append(f.Span, f.Span[..Math.Min(80, f.Length)]);
            Assert.Equal([new RecordingPause(pauseStart, pauseEnd, RecordingPauseReason.CardNumber)], recorder.Pauses);
        }

        var wav = await File.ReadAllBytesAsync(path);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(wav.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal(2, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22)));
        Assert.Equal(8000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        var data = DataChunk(wav);
        Assert.Equal(wav.Length - data, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(data - 4)));
        short Sample(long frame, int channel) => BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(data + (int)frame * 4 + channel * 2));
        var frames = (wav.Length - data) / 4;
        Assert.Equal(agent.Length + card.Length + after.Length, frames);

        Assert.Equal(card.Length, pauseEnd - pauseStart);
        for (var i = pauseStart; i < pauseEnd; i++)
        {
            Assert.Equal(0, Sample(i, 0));
            Assert.Equal(0, Sample(i, 1));
        }
        Assert.Contains(Enumerable.Range(0, agent.Length), i => Math.Abs((int)Sample(i, 1)) > 1000); // the agent's prompt is there
        Assert.Contains(Enumerable.Range((int)pauseEnd, after.Length), i => Math.Abs((int)Sample(i, 0)) > 1000); // and what came after
        for (var i = 0; i < after.Length; i++) Assert.Equal(after[i], Sample(pauseEnd + i, 0));
    }

    [Fact]
    public void A_recording_needs_a_seekable_stream()
    {
        Assert.Throws<ArgumentException>(() => new CallRecorder(new NonSeekable()));
    }

    [Fact]
    public void Completing_closes_an_open_pause()
    {
        var recorder = new CallRecorder(new MemoryStream());
        recorder.Append(new short[160], []);
        recorder.Pause(RecordingPauseReason.OneTimePassword);
        recorder.Append(new short[320], []);
        recorder.Complete();
        Assert.Equal([new RecordingPause(160, 480, RecordingPauseReason.OneTimePassword)], recorder.Pauses);
        Assert.Throws<ObjectDisposedException>(() => recorder.Append(new short[160], []));
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }

    /// <summary>Where the data chunk's samples start, found by walking the RIFF chunks.</summary>
    internal static int DataChunk(byte[] wav)
    {
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(offset + 4));
            if (System.Text.Encoding.ASCII.GetString(wav, offset, 4) == "data") return offset + 8;
            offset += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }
}
