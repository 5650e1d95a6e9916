namespace Switchboard.Dialog.Definition;

/// <summary>A bot as loaded from its folder: one persona, its intents, entities and flows. Immutable after load.</summary>
public sealed class BotDefinition
{
    public required string Name { get; init; }
    public required string Folder { get; init; }
    public required Persona Persona { get; init; }
    public required BotSettings Settings { get; init; }
    public required BotMessages Messages { get; init; }
    public required IReadOnlyList<IntentDefinition> Intents { get; init; }
    public required IReadOnlyDictionary<string, EntityDefinition> Entities { get; init; }
    public required IReadOnlyList<FlowDefinition> Flows { get; init; }
    /// <summary>The identity check flows marked <c>verify: true</c> need; null when the bot has none.</summary>
    public VerificationDefinition? Verification { get; init; }

    public FlowDefinition? FlowForIntent(string intent) => Flows.FirstOrDefault(f => f.Intent == intent);

    public FlowDefinition? Flow(string? name) => name is null ? null : Flows.FirstOrDefault(f => f.Name == name);
}

/// <summary>Tuning of the dialog: NLU threshold, how many misses before the fallback action, the bot's time zone.</summary>
public sealed class BotSettings
{
    public double ConfidenceThreshold { get; init; } = 0.45;
    public int MaxMisses { get; init; } = 2;
    /// <summary>What happens after <see cref="MaxMisses"/> misses in a row: <c>hand-to-agent</c> or <c>escalate-to-voice</c>.</summary>
    public BuiltinAction OnMaxMisses { get; init; } = BuiltinAction.HandToAgent;
    public string TimeZone { get; init; } = "UTC";
    /// <summary>Base address of the bot's backend; HTTP actions name paths under it. Empty: actions answer from their <c>demo</c> result.</summary>
    public string? Backend { get; init; }
}

/// <summary>Fixed wording of global handling. Every text may use <c>{persona.name}</c> and <c>{persona.brand}</c>.</summary>
public sealed class BotMessages
{
    public required Template Help { get; init; }
    public required Template Fallback { get; init; }
    public required Template Cancelled { get; init; }
    public required Template StartOver { get; init; }
    public required Template Handoff { get; init; }
    public required Template CallUs { get; init; }
    public required Template AlreadyOnCall { get; init; }
    public required Template NothingToRepeat { get; init; }
    public required Template NothingToCancel { get; init; }
    /// <summary>The resume line: <c>{step}</c> is the pending step, <c>{channel}</c> the earlier channel ("WhatsApp chat").</summary>
    public required Template Resume { get; init; }
    public required Template ChangeWhat { get; init; }
    public required Template Thanks { get; init; }
}

public enum BuiltinAction
{
    None,
    HandToAgent,
    EscalateToVoice,
}

public static class BuiltinActionNames
{
    public static bool TryParse(string? s, out BuiltinAction action)
    {
        switch (s)
        {
            case "hand-to-agent": action = BuiltinAction.HandToAgent; return true;
            case "escalate-to-voice": action = BuiltinAction.EscalateToVoice; return true;
            default: action = BuiltinAction.None; return false;
        }
    }
}
