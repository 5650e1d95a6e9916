using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// Each tenant's <see cref="BotVoiceProfile"/>, asked of the silo once and kept: a bot does not change while the engine
/// runs, and a call should not wait on a grain call per turn for it.
/// </summary>
public sealed class BotVoiceProfiles(IGrainFactory grains, ILogger<BotVoiceProfiles> logger)
{
    private readonly ConcurrentDictionary<string, Task<BotVoiceProfile?>> _byTenant = new(StringComparer.Ordinal);

    /// <summary>The tenant's profile; null when it runs no bot, or (until a later call asks again) when the silo could not be asked.</summary>
    public async Task<BotVoiceProfile?> ForAsync(string tenant)
    {
        var fetch = _byTenant.GetOrAdd(tenant, t => grains.GetGrain<IBotVoiceGrain>(t).Profile());
        try
        {
            return await fetch;
        }
        catch (Exception e)
        {
            _byTenant.TryRemove(new KeyValuePair<string, Task<BotVoiceProfile?>>(tenant, fetch));
            logger.LogWarning("Voice profile of tenant {Tenant} not available ({Error}); the call uses generic grammars", tenant, e.GetType().Name);
            return null;
        }
    }
}
