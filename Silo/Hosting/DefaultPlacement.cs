using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// Where a grain without a placement attribute is activated, from <c>Orleans:DefaultPlacement</c> (appsettings.json:
/// <c>prefer-local</c>). <c>prefer-local</c> activates it on the silo that first calls it: a customer's identity and
/// customer grains, first reached through one silo's ingress worker, live together and a turn makes fewer cross-silo
/// hops. Customers still spread over the silos because channels call the ingress under a key hashed from the sender
/// (<c>ConversationIngress.For</c>), and a gateway routes each key through its own silo. <c>resource-optimized</c> (or
/// empty) keeps Orleans' default; <c>activation-count</c> and <c>random</c> are there for experiments.
/// </summary>
public static class DefaultPlacement
{
    public const string Key = "Orleans:DefaultPlacement";

    public static void Configure(ISiloBuilder silo, IConfiguration config)
    {
        switch (config[Key]?.Trim().ToLowerInvariant())
        {
            case null or "" or "resource-optimized":
                return;
            case "prefer-local":
                silo.Services.AddSingleton<PlacementStrategy, PreferLocalPlacement>();
                return;
            case "activation-count":
                silo.Services.AddSingleton<PlacementStrategy, ActivationCountBasedPlacement>();
                return;
            case "random":
                silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
                return;
            case var other:
                throw new InvalidOperationException($"{Key} must be prefer-local, resource-optimized, activation-count or random (was '{other}').");
        }
    }
}
