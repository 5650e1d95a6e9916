using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Switchboard.Dialog.Tests;

/// <summary>A conversation test as a file: customer turns per channel and what each reply must (not) say or do.</summary>
public sealed class Story
{
    public string Name { get; init; } = "";
    public string Tenant { get; init; } = "airline";
    /// <summary>The moment the first turn happens (relative dates like "tomorrow" depend on it).</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    public List<StoryTurn> Turns { get; init; } = [];
    public StoryOutcome? Outcome { get; init; }

    public static Story Load(string path)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).WithDuplicateKeyChecking().Build();
        return deserializer.Deserialize<Story>(File.ReadAllText(path));
    }
}

public sealed class StoryTurn
{
    public string Channel { get; init; } = "whatsapp";
    public string? Say { get; init; }
    /// <summary>A button or list choice (option id), as WhatsApp or web chat send it.</summary>
    public string? Choose { get; init; }
    /// <summary>Keypad digits on a call.</summary>
    public string? Dtmf { get; init; }
    /// <summary>The web chat visitor arrived through a link carrying a session token issued to this customer.</summary>
    public bool JoinWithSessionToken { get; init; }
    /// <summary>The caller keys in the call code offered by the last call-us action.</summary>
    public bool JoinWithCallCode { get; init; }
    public StoryExpect Expect { get; init; } = new();
}

public sealed class StoryExpect
{
    public List<string> Contains { get; init; } = [];
    public List<string> NotContains { get; init; } = [];
    public string? StartsWith { get; init; }
    /// <summary>The slot the engine waits on after the reply: a slot name, <c>confirm</c>, or <c>nothing</c>.</summary>
    public string? Asks { get; init; }
    /// <summary><c>call-us</c>, <c>hand-to-agent</c>, <c>end</c> or <c>none</c>.</summary>
    public string? Action { get; init; }
    public string? Style { get; init; }
    public List<string> Options { get; init; } = [];
    public string? Flow { get; init; }
}

public sealed class StoryOutcome
{
    public int? ChannelSwitches { get; init; }
    public int? SwitchesWithRepeat { get; init; }
    public bool NoSlotAskedTwice { get; init; }
    /// <summary>Intent history as <c>intent:resolution</c>, oldest first.</summary>
    public List<string> History { get; init; } = [];
    public Dictionary<string, string> Slots { get; init; } = [];
}
