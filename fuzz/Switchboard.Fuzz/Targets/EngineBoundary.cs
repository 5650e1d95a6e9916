using System.Reflection;

namespace Switchboard.Fuzz.Targets;

/// <summary>Thrown where a webhook reader hands a turn to the engine: the input got through every check, which is a normal outcome here.</summary>
public sealed class ReachedEngine() : Exception("The webhook reader reached the engine.");

/// <summary>
/// The grain factory the webhook targets run with: the readers are fuzzed up to the engine's door, and the first grain
/// call stops the input there (the engine's own input checks have their own tests).
/// </summary>
public class EngineBoundary : DispatchProxy
{
    public static IGrainFactory Create() => Create<IGrainFactory, EngineBoundary>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new ReachedEngine();
}
