using Switchboard.Fuzz.Targets;

namespace Switchboard.Fuzz.Tests;

/// <summary>Every file of every corpus (seeds, what afl++ kept, and the inputs of crashes since fixed) through its target, in process.</summary>
public sealed class CorpusReplayTests
{
    [Theory]
    [MemberData(nameof(Corpora.Targets), MemberType = typeof(Corpora))]
    public void Every_corpus_file_replays_without_a_crash(string target)
    {
        var files = Directory.EnumerateFiles(Corpora.For(target), "*", SearchOption.AllDirectories).Order().ToList();
        Assert.NotEmpty(files);
        var run = FuzzTargets.All[target];
        foreach (var file in files)
        {
            var e = Record.Exception(() => run(File.ReadAllBytes(file)));
            Assert.True(e is null, $"{target}: {Path.GetFileName(file)} crashed: {e}");
        }
    }

    [Theory]
    [InlineData("whatsapp")]
    [InlineData("sms")]
    [InlineData("rcs")]
    public void The_webhook_seeds_get_past_the_signature_check_to_the_engine(string target)
    {
        var before = WebhookTargets.ReachedEngineCount;
        foreach (var file in Directory.EnumerateFiles(Corpora.For(target)).Where(f => !Path.GetFileName(f).StartsWith("regression", StringComparison.Ordinal)))
            FuzzTargets.All[target](File.ReadAllBytes(file));
        // Otherwise the fuzzer would only ever meet a 401.
        Assert.True(WebhookTargets.ReachedEngineCount > before, $"no {target} seed reached the engine");
    }
}
