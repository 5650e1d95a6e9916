using System.Buffers.Binary;
using System.Text.Json;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// PCI-style pause: while the flow waits for a card number the consented recording writes silence on both sides, even
/// though the caller sends audio and keys digits and the agent speaks; it resumes for the next prompt.
/// The airline bot gets a small extra flow with a secret card-number slot (a copy of the shipped bot in a temp folder).
/// </summary>
[Collection("sipp")]
public sealed class RecordingPauseTests : IAsyncLifetime
{
    private readonly DirectoryInfo _bots = Directory.CreateTempSubdirectory("bots-");
    private AgentEngine _engine = null!;

    public async Task InitializeAsync()
    {
        ShippedBots.CopyTo(_bots.FullName);
        var airline = Path.Combine(_bots.FullName, "airline");
        await File.AppendAllTextAsync(Path.Combine(airline, "flows.yaml"), """

              - name: pay_fee
                intent: pay_fee
                title: Pay the change fee
                goal: "paying the change fee"
                slots:
                  - name: card_number
                    type: text
                    prompt: "Please key in your card number, then press hash."
                    step: "taking your card number"
                    secret: true
                action:
                  success: "Thank you, the change fee is paid."

            """);
        await File.AppendAllTextAsync(Path.Combine(airline, "intents.yaml"), """

              - name: pay_fee
                examples:
                  - pay the change fee
                  - I want to pay the fee
                  - pay my change fee
                  - how do I pay the fee
                  - take the payment for the change
                  - I'd like to pay now
                  - charge my card for the fee
                  - pay the fee please

            """);
        _engine = await AgentEngine.StartAsync(new Dictionary<string, string?>
        {
            ["Bots:Path"] = _bots.FullName,
        }, recordings: true);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _bots.Delete(true);
    }

    [Fact]
    public async Task The_recording_holds_silence_while_card_digits_are_keyed()
    {
        const string number = "919811100003";
        var started = await _engine.WhatsAppAsync(number, "pay the change fee");
        Assert.Contains("card number", started.GetProperty("reply").GetProperty("text").GetString());
        var customer = started.GetProperty("customerId").GetString()!;

        var tone = Tone(TimeSpan.FromSeconds(1));
        var call = new SippCall()
            .Pause(TimeSpan.FromMilliseconds(1500))
            .Play(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(200)).Digits("1").Silence(TimeSpan.FromMilliseconds(200)))
            .Pause(TimeSpan.FromSeconds(3))
            .Play(new RtpPcapWriter().Audio(tone).Digits("4111111111111111#").Audio(tone))
            .Pause(TimeSpan.FromSeconds(5));
        var result = await call.RunAsync(_engine.SipPort, "+" + number);
        Assert.True(result.ExitCode == 0, result.ToString());

        List<Turn> turns = [];
        Assert.True(await AgentEngine.EventuallyAsync(async () =>
        {
            turns = await _engine.TranscriptAsync(customer);
            return turns.Any(t => t.Channel == "voice" && t.Direction == "outbound" && t.Text.Contains("fee is paid"));
        }), "the fee was not taken; transcript: " + string.Join(" | ", turns) + "\nlog:\n" + _engine.VoiceLog);
        // The keyed card number is tokenized at ingestion like a typed one: no transcript line or log line holds it.
        Assert.DoesNotContain(turns, t => t.Text.Contains("4111111111111111", StringComparison.Ordinal));
        Assert.Contains(turns, t => t.Direction == "inbound" && t.Text.Contains("{{card:", StringComparison.Ordinal));
        Assert.DoesNotContain(_engine.App.Logs.Lines, l => l.Contains("4111111111111111", StringComparison.Ordinal));

        string wav = "";
        Assert.True(await AgentEngine.EventuallyAsync(() =>
        {
            wav = _engine.RecordingFiles("*.wav").FirstOrDefault() ?? "";
            return Task.FromResult(wav.Length > 0 && File.Exists(Path.ChangeExtension(wav, ".json")));
        }), "no recording was written");
        var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(wav, ".json"))).RootElement;
        var pause = Assert.Single(sidecar.GetProperty("pauses").EnumerateArray());
        Assert.Equal("CardNumber", pause.GetProperty("reason").GetString());
        var start = pause.GetProperty("startSample").GetInt64();
        var end = pause.GetProperty("endSample").GetInt64();
        // The keyed digits and the tone around them took over 4 s: all of it is inside the pause.
        Assert.True(end - start >= 8000 * 4, $"pause of {(end - start) / 8000.0:F1} s is shorter than the keyed card number");

        var samples = StereoSamples(await File.ReadAllBytesAsync(wav));
        Assert.All(Enumerable.Range((int)start, (int)(end - start)), i => Assert.True(samples[i] == (0, 0), $"sample {i} is not silent"));
        // After the pause the agent's next prompt ("the fee is paid") is in the recording again.
        Assert.Contains(samples.Skip((int)end), s => s.Agent != 0);
    }

    private static short[] Tone(TimeSpan duration)
    {
        var n = (int)(duration.TotalSeconds * 8000);
        var pcm = new short[n];
        for (var i = 0; i < n; i++) pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
        return pcm;
    }

    private static (short Customer, short Agent)[] StereoSamples(byte[] wav)
    {
        var data = wav.AsSpan(CustomerVoice.DataChunkOffset(wav));
        var frames = new (short, short)[data.Length / 4];
        for (var i = 0; i < frames.Length; i++)
            frames[i] = (BinaryPrimitives.ReadInt16LittleEndian(data[(4 * i)..]), BinaryPrimitives.ReadInt16LittleEndian(data[(4 * i + 2)..]));
        return frames;
    }
}
