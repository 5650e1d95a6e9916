namespace Switchboard.Silo.Hosting;

/// <summary>
/// What one process of the binary runs, from configuration <c>Role</c>: <c>silo</c> (grains, storage, admin API,
/// dashboard), <c>gateway</c> (an Orleans client hosting the channels) or <c>all</c> (both, the default).
/// </summary>
public enum SwitchboardRole
{
    All,
    Silo,
    Gateway,
}

public static class SwitchboardRoles
{
    public const string Key = "Role";

    public static SwitchboardRole From(IConfiguration config) => config[Key]?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => SwitchboardRole.All,
        "silo" => SwitchboardRole.Silo,
        "gateway" => SwitchboardRole.Gateway,
        var other => throw new InvalidOperationException($"Role must be silo, gateway or all (was '{other}')."),
    };

    /// <summary>Grains, storage, the admin API and the dashboard run here.</summary>
    public static bool HostsGrains(this SwitchboardRole role) => role is SwitchboardRole.All or SwitchboardRole.Silo;

    /// <summary>Webhooks, web chat, SIP voice and the outbox dispatchers run here.</summary>
    public static bool HostsChannels(this SwitchboardRole role) => role is SwitchboardRole.All or SwitchboardRole.Gateway;
}
