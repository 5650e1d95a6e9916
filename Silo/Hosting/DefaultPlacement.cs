using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// Where a grain without a placement attribute is activated, from <c>Orleans:DefaultPlacement</c>: <c>prefer-local</c>
/// activates it on the silo that first calls it, so a customer's identity and customer grains, first reached through
/// one silo's ingress worker, live together and a turn makes fewer cross-silo hops; unset keeps Orleans' default
/// (resource-optimised). Gateways spread their calls over the silos, which spreads the customers.
/// </summary>
public static class DefaultPlacement
{
    public const string Key = "Orleans:DefaultPlacement";

    public static void Configure(ISiloBuilder silo, IConfiguration config)
    {
        switch (config[Key]?.Trim().ToLowerInvariant())
        {
            case null or "":
                return;
            case "prefer-local":
                silo.Services.AddSingleton<PlacementStrategy, PreferLocalPlacement>();
                return;
            case "random":
                silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
                return;
            case var other:
                throw new InvalidOperationException($"{Key} must be prefer-local or random (was '{other}').");
        }
    }
}
