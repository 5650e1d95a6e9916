namespace Switchboard.Dialog.Definition;

/// <summary>An intent and the example utterances the classifier learns it from. <see cref="Line"/> points into the file for errors.</summary>
public sealed class IntentDefinition
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Examples { get; init; }
    /// <summary>What the bot says when this intent has no flow (greet, thanks...).</summary>
    public Template? Reply { get; init; }
    public string File { get; init; } = "";
    public int Line { get; init; }

    /// <summary>Intents the engine handles itself on every bot, whatever flow is open.</summary>
    public static readonly IReadOnlySet<string> Global = new HashSet<string>(StringComparer.Ordinal)
    {
        "help", "repeat", "start_over", "cancel", "agent",
    };
}
