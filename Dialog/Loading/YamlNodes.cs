using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Dialog.Loading;

/// <summary>Typed reads from a YAML node tree that fail with the file, line and a reason a bot author understands.</summary>
internal sealed class YamlNodes(string file)
{
    public string File { get; } = file;

    public BotDefinitionException Error(YamlNode node, string reason) =>
        new(File, (int)node.Start.Line, (int)node.Start.Column, reason);

    public YamlMap Map(YamlNode node, string what) =>
        node is YamlMappingNode m ? new YamlMap(this, m, what) : throw Error(node, $"{what} must be a mapping (key: value lines).");

    public IReadOnlyList<YamlNode> Seq(YamlNode node, string what) =>
        node is YamlSequenceNode s ? s.Children.ToList() : throw Error(node, $"{what} must be a list ('- ' items).");

    public string Scalar(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Error(node, $"{what} must be a single value.");

    public IReadOnlyList<string> Strings(YamlNode node, string what)
    {
        if (node is YamlScalarNode) return [Scalar(node, what)];
        return Seq(node, what).Select((n, i) => Scalar(n, $"{what}[{i}]")).ToList();
    }
}

/// <summary>A mapping whose keys are checked against the ones allowed, so a typo is an error rather than a silent default.</summary>
internal sealed class YamlMap
{
    private readonly YamlNodes _nodes;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public YamlMap(YamlNodes nodes, YamlMappingNode node, string what)
    {
        _nodes = nodes;
        Node = node;
        What = what;
        foreach (var (k, v) in node.Children)
            _entries[nodes.Scalar(k, $"a key of {what}")] = (k, v);
    }

    public YamlMappingNode Node { get; }
    public string What { get; }

    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries => _entries.Select(e => (e.Key, e.Value.Key, e.Value.Value));

    public void Allow(params string[] keys)
    {
        foreach (var (key, (k, _)) in _entries)
            if (!keys.Contains(key, StringComparer.Ordinal))
                throw _nodes.Error(k, $"unknown key '{key}' in {What} (allowed: {string.Join(", ", keys)}).");
    }

    public YamlNode? Get(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;

    public YamlNode Required(string key) =>
        Get(key) ?? throw _nodes.Error(Node, $"{What} needs '{key}'.");

    public string? Str(string key)
    {
        var n = Get(key);
        if (n is null) return null;
        var v = _nodes.Scalar(n, $"{What}.{key}");
        return v;
    }

    public string ReqStr(string key)
    {
        var v = _nodes.Scalar(Required(key), $"{What}.{key}");
        if (string.IsNullOrWhiteSpace(v)) throw _nodes.Error(Required(key), $"{What}.{key} must not be empty.");
        return v;
    }

    public bool Bool(string key, bool fallback = false)
    {
        var n = Get(key);
        if (n is null) return fallback;
        return _nodes.Scalar(n, $"{What}.{key}") switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var other => throw _nodes.Error(n, $"{What}.{key} must be true or false, not '{other}'."),
        };
    }

    public double? Number(string key)
    {
        var n = Get(key);
        if (n is null) return null;
        var s = _nodes.Scalar(n, $"{What}.{key}");
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw _nodes.Error(n, $"{What}.{key} must be a number, not '{s}'.");
    }

    public IReadOnlyList<string> Strings(string key) => Get(key) is { } n ? _nodes.Strings(n, $"{What}.{key}") : [];
}
