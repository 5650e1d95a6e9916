using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Journeys.Loading;

/// <summary>Reads YAML nodes by hand so every error carries the line of the node it is about.</summary>
internal sealed class YamlReader(string file, List<JourneyError> errors)
{
    public string File { get; } = file;

    public YamlNode? Parse(TextReader text)
    {
        var stream = new YamlStream();
        try { stream.Load(text); }
        catch (YamlException e)
        {
            errors.Add(new(File, (int)e.Start.Line, e.InnerException?.Message ?? e.Message));
            return null;
        }
        if (stream.Documents.Count == 0) { errors.Add(new(File, 1, "the file is empty")); return null; }
        return stream.Documents[0].RootNode;
    }

    public void Error(YamlNode node, string reason) => errors.Add(new(File, Line(node), reason));

    public static int Line(YamlNode node) => (int)node.Start.Line;

    public YamlMappingNode? Map(YamlNode? node, string what)
    {
        if (node is YamlMappingNode m) return m;
        if (node is not null) Error(node, $"{what} must be a mapping");
        return null;
    }

    public YamlSequenceNode? Seq(YamlNode? node, string what)
    {
        if (node is YamlSequenceNode s) return s;
        if (node is not null) Error(node, $"{what} must be a list");
        return null;
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public string? Str(YamlMappingNode map, string key, bool required = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            if (required) Error(map, $"'{key}' is required");
            return null;
        }
        if (node is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value)) return s.Value!.Trim();
        Error(node, $"'{key}' must be a non-empty text");
        return null;
    }

    public IReadOnlyList<(string Value, YamlNode Node)> StrList(YamlMappingNode map, string key)
    {
        var node = Get(map, key);
        if (node is null) return [];
        if (node is YamlScalarNode one && !string.IsNullOrWhiteSpace(one.Value)) return [(one.Value!.Trim(), one)];
        if (Seq(node, $"'{key}'") is not { } seq) return [];
        var list = new List<(string, YamlNode)>();
        foreach (var item in seq)
            if (item is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value)) list.Add((s.Value!.Trim(), s));
            else Error(item, $"'{key}' entries must be texts");
        return list;
    }

    public void Only(YamlMappingNode map, string what, params string[] keys)
    {
        foreach (var key in map.Children.Keys)
            if (key is YamlScalarNode s && !keys.Contains(s.Value))
                Error(key, $"unknown key '{s.Value}' in {what} (expected {string.Join(", ", keys)})");
    }
}
