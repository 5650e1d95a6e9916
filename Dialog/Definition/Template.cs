using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Dialog.Definition;

/// <summary>
/// A reply text with <c>{name}</c> references (slots, <c>result.x</c>, <c>persona.name</c>), parsed once at load so a
/// turn only concatenates. Unknown references are caught by the loader, not at run time.
/// </summary>
public sealed partial class Template
{
    private readonly (string Literal, string? Ref)[] _parts;

    private Template(string source, (string, string?)[] parts)
    {
        Source = source;
        _parts = parts;
        References = parts.Where(p => p.Item2 is not null).Select(p => p.Item2!).Distinct().ToArray();
    }

    public string Source { get; }

    public IReadOnlyList<string> References { get; }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)\}")]
    private static partial Regex Reference();

    public static Template Parse(string source)
    {
        var parts = new List<(string, string?)>();
        var at = 0;
        foreach (Match m in Reference().Matches(source))
        {
            parts.Add((source[at..m.Index], m.Groups[1].Value));
            at = m.Index + m.Length;
        }
        parts.Add((source[at..], null));
        return new Template(source, [.. parts]);
    }

    /// <summary>Fills the references; a reference with no value is rendered from <paramref name="missing"/> (empty by default).</summary>
    public string Render(Func<string, string?> lookup, string missing = "")
    {
        if (_parts.Length == 1) return _parts[0].Literal;
        var sb = new StringBuilder(Source.Length + 32);
        foreach (var (literal, reference) in _parts)
        {
            sb.Append(literal);
            if (reference is not null) sb.Append(lookup(reference) ?? missing);
        }
        return sb.ToString();
    }

    public bool CanRender(Func<string, string?> lookup) => References.All(r => lookup(r) is not null);

    public override string ToString() => Source;
}
