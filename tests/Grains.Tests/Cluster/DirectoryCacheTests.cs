using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Silo.Hosting;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Cluster;

/// <summary>
/// The grain directory cache is bounded (mem7): a customer whose entry was evicted is looked up again, never activated
/// twice, and keeps one conversation, also across two silos.
/// </summary>
public sealed class DirectoryCacheTests
{
    [Fact]
    public async Task The_silo_bounds_the_directory_cache_by_default()
    {
        await using var cluster = await SwitchboardCluster.StartAsync();
        var options = cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
        Assert.Equal(SiloHosting.DefaultDirectoryCacheSize, options.CacheSize);
        Assert.True(options.CacheSize < GrainDirectoryOptions.DEFAULT_CACHE_SIZE);
    }

    [Fact]
    public async Task Customers_evicted_from_a_tiny_cache_keep_one_conversation_across_two_silos()
    {
        await using var cluster = await SwitchboardCluster.StartAsync(silos: 2, settings: new Dictionary<string, string?> { ["Orleans:DirectoryCacheSize"] = "3" });
        Assert.Equal(3, cluster.Silos[1].ServiceProvider.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
        var grains = cluster.Client;
        var ids = new string[12];
        for (var round = 0; round < 3; round++)
            for (var i = 0; i < ids.Length; i++)
            {
                var result = await grains.Ingress().Receive(WhatsApp($"9198000077{i:D2}", $"round {round} from {i}"));
                if (round == 0) ids[i] = result.CustomerId;
                else Assert.Equal(ids[i], result.CustomerId);
            }
        Assert.Equal(ids.Length, ids.Distinct().Count());
        for (var i = 0; i < ids.Length; i++)
        {
            var inbound = (await grains.Customer(ids[i]).GetTranscript()).Turns.Where(t => t.Direction == Direction.Inbound).Select(t => t.Text);
            Assert.Equal([$"round 0 from {i}", $"round 1 from {i}", $"round 2 from {i}"], inbound);
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2")]
    public async Task A_directory_cache_size_orleans_cannot_use_is_refused_at_start(string size)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => SwitchboardCluster.StartAsync(settings: new Dictionary<string, string?> { ["Orleans:DirectoryCacheSize"] = size }));
        Assert.Contains("Orleans:DirectoryCacheSize", error.ToString());
    }
}
