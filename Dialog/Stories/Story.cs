using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Switchboard.Dialog.Stories;

/// <summary>
/// A conversation test as data: customer turns per channel and, per turn, the dialog act the engine took (intent), the
/// slots it holds, what the reply must (not) say and the action it carries. Played through the real grains by
/// <see cref="StoryPlayer"/> (<c>dotnet test tests/Dialog.Tests</c> and <c>bench -- stories</c>).
/// </summary>
public sealed class Story
{
    public string Name { get; set; } = "";
    public string Tenant { get; set; } = "airline";
    /// <summary>What the story exercises (paraphrase, correction, digression, …): the benchmark's pass rate is per category.</summary>
    public string Category { get; set; } = "general";
    /// <summary>Set by the loader: the story lives under a <c>heldout</c> folder and is not tuned against.</summary>
    [YamlIgnore] public bool HeldOut { get; set; }
    /// <summary>Set by the loader: the file (and position) it came from.</summary>
    [YamlIgnore] public string Source { get; set; } = "";
    /// <summary>The moment the first turn happens (relative dates like "tomorrow" depend on it).</summary>
    public DateTimeOffset Start { get; set; } = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    public List<StoryTurn> Turns { get; set; } = [];
    public StoryOutcome? Outcome { get; set; }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance).WithDuplicateKeyChecking().Build();

    /// <summary>
    /// One file holds one story, or a list under <c>stories:</c> sharing the file's <c>tenant</c> and <c>category</c>
    /// (a story may override them).
    /// </summary>
    public static List<Story> Load(string path, bool heldOut = false)
    {
        var text = File.ReadAllText(path);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var file = Path.GetFileName(path);
        if (!root.Children.ContainsKey(new YamlScalarNode("stories")))
        {
            var single = Deserializer.Deserialize<Story>(text);
            single.HeldOut = heldOut;
            single.Source = file;
            return [single];
        }
        var set = Deserializer.Deserialize<StorySet>(text);
        var list = new List<Story>();
        for (var i = 0; i < set.Stories.Count; i++)
        {
            var s = set.Stories[i];
            if (s.Tenant == "airline" && set.Tenant is { } t) s.Tenant = t;
            if (s.Category == "general" && set.Category is { } c) s.Category = c;
            s.HeldOut = heldOut;
            s.Source = $"{file}#{i + 1}";
            list.Add(s);
        }
        return list;
    }

    /// <summary>Every story under a folder; those under a <c>heldout</c> folder are marked held out.</summary>
    public static List<Story> LoadFolder(string folder) =>
        Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => Load(f, Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Contains("heldout")))
            .ToList();
}

/// <summary>A file of several stories.</summary>
public sealed class StorySet
{
    public string? Tenant { get; set; }
    public string? Category { get; set; }
    public List<Story> Stories { get; set; } = [];
}

public sealed class StoryTurn
{
    public string Channel { get; set; } = "whatsapp";
    public string? Say { get; set; }
    /// <summary>A button or list choice (option id), as WhatsApp or web chat send it.</summary>
    public string? Choose { get; set; }
    /// <summary>Keypad digits on a call.</summary>
    public string? Dtmf { get; set; }
    /// <summary>The web chat visitor arrived through a link carrying a session token issued to this customer.</summary>
    public bool JoinWithSessionToken { get; set; }
    /// <summary>The caller keys in the call code offered by the last call-us action.</summary>
    public bool JoinWithCallCode { get; set; }
    public StoryExpect Expect { get; set; } = new();
}

public sealed class StoryExpect
{
    /// <summary>
    /// The dialog act the engine took: an intent name (<c>rebook</c>, <c>help</c>, <c>cancel</c>…) or <c>inform</c>
    /// (answered the pending question), <c>correct</c>, <c>affirm</c>, <c>deny</c>, <c>fallback</c>, <c>ask-slot</c>, <c>unclear-choice</c>.
    /// </summary>
    public string? Intent { get; set; }
    /// <summary>Slot name → the display value (or value) it must hold after the turn; an empty string: not filled.</summary>
    public Dictionary<string, string> Slots { get; set; } = [];
    public List<string> Contains { get; set; } = [];
    public List<string> NotContains { get; set; } = [];
    public string? StartsWith { get; set; }
    /// <summary>The slot the engine waits on after the reply: a slot name, <c>confirm</c>, <c>change</c>, <c>verify</c>, <c>cancel</c> or <c>nothing</c>.</summary>
    public string? Asks { get; set; }
    /// <summary><c>call-us</c>, <c>hand-to-agent</c>, <c>end</c> or <c>none</c>.</summary>
    public string? Action { get; set; }
    public string? Style { get; set; }
    public List<string> Options { get; set; } = [];
    public string? Flow { get; set; }
}

public sealed class StoryOutcome
{
    public int? ChannelSwitches { get; set; }
    public int? SwitchesWithRepeat { get; set; }
    public bool NoSlotAskedTwice { get; set; }
    /// <summary>Intent history as <c>intent:resolution</c>, oldest first.</summary>
    public List<string> History { get; set; } = [];
}
