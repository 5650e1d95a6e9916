using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Dialog;
using Switchboard.Grains.Dialog;
using Switchboard.Dialog.Nlu;

namespace Switchboard.Dialog.Tests;

/// <summary>The encoder's cost on the turn path: repeated texts are looked up, misses go in one batch, the host turns it on by option.</summary>
public sealed class EncoderCostTests
{
    /// <summary>A stand-in counting what reaches the model: one vector per sentence from its length.</summary>
    private sealed class CountingEmbedder : ISentenceEmbedder
    {
        public int Calls;
        public int Sentences;

        public float[][] Embed(string[] sentences)
        {
            Interlocked.Increment(ref Calls);
            Interlocked.Add(ref Sentences, sentences.Length);
            return sentences.Select(s => new float[] { s.Length, 1, 0 }).ToArray();
        }
    }

    [Fact]
    public void A_text_said_again_is_not_encoded_again()
    {
        var inner = new CountingEmbedder();
        var cache = new CachingSentenceEmbedder(inner, 16);
        var first = cache.Embed(["thx a lot"])[0];
        var again = cache.Embed(["thx a lot"])[0];
        Assert.Equal(1, inner.Sentences);
        Assert.Equal(first, again);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void The_misses_of_one_call_go_to_the_encoder_as_one_batch_each_text_once()
    {
        var inner = new CountingEmbedder();
        var cache = new CachingSentenceEmbedder(inner, 16);
        cache.Embed(["a"]);
        var vectors = cache.Embed(["a", "bb", "ccc", "bb"]);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(3, inner.Sentences); // "a" once, then "bb" and "ccc" together
        Assert.Equal([2f, 1, 0], vectors[1]);
        Assert.Equal(vectors[1], vectors[3]);
    }

    [Fact]
    public void The_cache_is_bounded_and_forgets_the_least_recently_used_text()
    {
        var inner = new CountingEmbedder();
        var cache = new CachingSentenceEmbedder(inner, 2);
        cache.Embed(["one"]);
        cache.Embed(["two"]);
        cache.Embed(["one"]); // "one" is now the most recent
        cache.Embed(["three"]); // evicts "two"
        Assert.Equal(2, cache.Count);
        var before = inner.Sentences;
        cache.Embed(["one"]);
        Assert.Equal(before, inner.Sentences);
        cache.Embed(["two"]);
        Assert.Equal(before + 1, inner.Sentences);
    }

    [Fact]
    public void The_encoder_is_off_by_default()
    {
        var services = new ServiceCollection();
        services.AddDialogEngine(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ISentenceEmbedder));
    }

    [Fact]
    public void Turned_on_by_option_the_embedded_MiniLM_encoder_is_registered_behind_the_cache()
    {
        var services = new ServiceCollection();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bots:Encoder:Enabled"] = "true",
            ["Bots:Encoder:CacheSize"] = "8",
        }).Build();
        services.AddDialogEngine(config);
        using var provider = services.BuildServiceProvider();
        var embedder = Assert.IsType<CachingSentenceEmbedder>(provider.GetRequiredService<ISentenceEmbedder>());
        var vectors = embedder.Embed(["I missed my connection", "I missed my connection", "what can you do"]);
        Assert.Equal(384, vectors[0].Length); // the real all-MiniLM-L6-v2, from inside its assembly
        Assert.Equal(vectors[0], vectors[1]);
        Assert.NotEqual(vectors[0], vectors[2]);
        Assert.Equal(2, embedder.Misses);
    }

    [Fact]
    public void An_encoder_the_host_registered_itself_is_kept()
    {
        var services = new ServiceCollection();
        var own = new CountingEmbedder();
        services.AddSingleton<ISentenceEmbedder>(own);
        services.AddDialogEngine(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Bots:Encoder:Enabled"] = "true" }).Build());
        Assert.Single(services, d => d.ServiceType == typeof(ISentenceEmbedder));
    }
}
