using System.Diagnostics;
using Switchboard.Telephony.Media;

namespace Switchboard.Speech.Tests;

/// <summary>WAV prompts through NAudio: files sox writes are read back exactly; other formats and junk are refused.</summary>
public sealed class WavFileTests
{
    [Fact]
    public async Task A_sox_wav_at_8_kHz_reads_back_and_other_formats_and_junk_are_refused()
    {
        using var dir = new Switchboard.TestSupport.TempDirectory();
        var narrow = Path.Combine(dir.Path, "narrow.wav");
        var wide = Path.Combine(dir.Path, "wide.wav");
        await Sox(["-D", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", narrow, "synth", "0.25", "sine", "440"]);
        await Sox(["-D", "-n", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", wide, "synth", "0.25", "sine", "440"]);

        Assert.True(WavPromptAudio.TryReadPcm8k(await File.ReadAllBytesAsync(narrow), out var samples));
        Assert.Equal(2000, samples.Length);
        Assert.Contains(samples, s => Math.Abs((int)s) > 10_000);
        // Our own writer's output reads back sample for sample.
        Assert.True(WavPromptAudio.TryReadPcm8k(WavPromptAudio.ToWav(samples), out var again));
        Assert.Equal(samples, again);

        Assert.False(WavPromptAudio.TryReadPcm8k(await File.ReadAllBytesAsync(wide), out _));
        Assert.False(WavPromptAudio.TryReadPcm8k("RIFF\0\0\0\0WAVEjunk"u8, out _));
        Assert.False(WavPromptAudio.TryReadPcm8k([], out _));
    }

    private static async Task Sox(string[] args)
    {
        var start = new ProcessStartInfo("sox") { RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err);
    }
}
