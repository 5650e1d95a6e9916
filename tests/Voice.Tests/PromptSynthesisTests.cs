using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech;
using Switchboard.Speech.Flite;
using Xunit;

namespace Switchboard.Voice.Tests;

/// <summary>
/// Many calls reaching the same prompt at once share one synthesis (the voice benchmark's 1,000 calls keyed the same
/// digit together and each synthesised the same reply).
/// </summary>
public sealed class PromptSynthesisTests
{
    [Fact]
    public async Task Concurrent_requests_for_one_prompt_share_one_synthesis_and_the_same_audio()
    {
        var tts = new FliteTextToSpeech(NullLogger<FliteTextToSpeech>.Instance);
        Assert.True(tts.IsAvailable, "flite (libflite1) is installed by the project's scripts");
        var cache = new SynthesizedPromptCache();

        var requests = Enumerable.Range(0, 20).Select(_ => cache.GetOrSynthesizeAsync(tts, "Your balance is ready.").AsTask()).ToList();
        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, cache.Syntheses);
        Assert.True(results[0].Length > 8_000, "at least a second of 8 kHz audio");
        Assert.All(results, r => Assert.Same(results[0], r));
        // Now cached: no further synthesis.
        Assert.Same(results[0], await cache.GetOrSynthesizeAsync(tts, "Your balance is ready."));
        Assert.Equal(1, cache.Syntheses);
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_cancel_the_shared_synthesis()
    {
        var tts = new FliteTextToSpeech(NullLogger<FliteTextToSpeech>.Instance);
        Assert.True(tts.IsAvailable);
        var cache = new SynthesizedPromptCache();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var first = cache.GetOrSynthesizeAsync(tts, "Please hold the line.", cancellationToken: cancelled.Token).AsTask();
        var second = cache.GetOrSynthesizeAsync(tts, "Please hold the line.").AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var audio = await second.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEmpty(audio);
        Assert.Equal(1, cache.Syntheses);
    }
}
