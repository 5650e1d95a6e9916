using System.Text.RegularExpressions;

namespace Switchboard.Dialog.Definition;

public enum EntityKind
{
    Enumeration,
    Pattern,
}

/// <summary>A bot-defined slot type: an enumeration with synonyms (cities, service types) or a pattern (flight numbers, plates).</summary>
public sealed class EntityDefinition
{
    public required string Name { get; init; }
    public EntityKind Kind { get; init; }
    public IReadOnlyList<EnumValue> Values { get; init; } = [];
    public Regex? Pattern { get; init; }
    /// <summary>How a value is read out in examples of prompts ("a flight number like SW 123").</summary>
    public string? Hint { get; init; }
}

public sealed record EnumValue(string Value, string Display, IReadOnlyList<string> Synonyms);
