using System.Diagnostics;
using Switchboard.Telephony.Codecs;

namespace Switchboard.Telephony.Tests;

public sealed class CodecTests
{
    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x00, -32124)]
    [InlineData(0x80, 32124)]
    [InlineData(0xF0, 120)]
    public void Mu_law_decodes_known_vectors(int code, int linear) => Assert.Equal(linear, G711.DecodeMuLaw((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    public void A_law_decodes_known_vectors(int code, int linear) => Assert.Equal(linear, G711.DecodeALaw((byte)code));

    [Fact]
    public void Silence_encodes_to_the_idle_codes()
    {
        Assert.Equal(G711.MuLawSilence, G711.EncodeMuLaw(0));
        Assert.Equal(G711.ALawSilence, G711.EncodeALaw(0));
    }

    [Fact]
    public void Every_code_survives_decode_then_encode()
    {
        for (var code = 0; code < 256; code++)
        {
            // 0x7F and 0xFF are both zero in mu-law; zero encodes to 0xFF.
            if (code == 0x7F) continue;
            Assert.Equal(code, G711.EncodeMuLaw(G711.DecodeMuLaw((byte)code)));
            Assert.Equal(code, G711.EncodeALaw(G711.DecodeALaw((byte)code)));
        }
    }

    [Theory]
    [InlineData("u-law")]
    [InlineData("a-law")]
    public async Task Encoder_matches_sox_for_all_65536_samples(string encoding)
    {
        var dir = Directory.CreateTempSubdirectory("g711-");
        try
        {
            var pcm = new byte[65536 * 2];
            for (var i = 0; i < 65536; i++) BitConverter.TryWriteBytes(pcm.AsSpan(2 * i), (short)(i - 32768));
            var input = Path.Combine(dir.FullName, "all.raw");
            var output = Path.Combine(dir.FullName, "out.raw");
            await File.WriteAllBytesAsync(input, pcm);
            await SoxAsync($"-D -t raw -r 8000 -e signed -b 16 -c 1 {input} -t raw -e {encoding} -b 8 -c 1 {output}");
            var expected = await File.ReadAllBytesAsync(output);
            Assert.Equal(65536, expected.Length);
            var mismatches = 0;
            for (var i = 0; i < 65536; i++)
            {
                var ours = encoding == "u-law" ? G711.EncodeMuLaw((short)(i - 32768)) : G711.EncodeALaw((short)(i - 32768));
                if (ours != expected[i]) mismatches++;
            }
            Assert.Equal(0, mismatches);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("u-law")]
    [InlineData("a-law")]
    public async Task Decoder_matches_sox_for_all_256_codes(string encoding)
    {
        var dir = Directory.CreateTempSubdirectory("g711-");
        try
        {
            var input = Path.Combine(dir.FullName, "codes.raw");
            var output = Path.Combine(dir.FullName, "out.raw");
            await File.WriteAllBytesAsync(input, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
            await SoxAsync($"-D -t raw -r 8000 -e {encoding} -b 8 -c 1 {input} -t raw -e signed -b 16 -c 1 {output}");
            var bytes = await File.ReadAllBytesAsync(output);
            for (var code = 0; code < 256; code++)
            {
                var expected = BitConverter.ToInt16(bytes, 2 * code);
                Assert.Equal(expected, encoding == "u-law" ? G711.DecodeMuLaw((byte)code) : G711.DecodeALaw((byte)code));
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static async Task SoxAsync(string args)
    {
        using var p = Process.Start(new ProcessStartInfo("sox", args) { RedirectStandardError = true, UseShellExecute = false })!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err);
    }
}
