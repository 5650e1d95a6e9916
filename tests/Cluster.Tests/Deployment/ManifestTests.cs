using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.Configuration;
using Switchboard.Silo.Hosting;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Cluster.Tests.Deployment;

/// <summary>
/// deploy/kubernetes, checked offline: every object against the Kubernetes API schemas (scripts/check-manifests.sh,
/// schemas bundled in the npm package kubernetes-models), and every configuration key the containers set (environment
/// <c>Section__Key</c>) against what the app reads: appsettings.json, the options classes, the keys named in its code.
/// </summary>
public sealed partial class ManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Manifests = Path.Combine(Root, "deploy", "kubernetes");

    [Fact]
    public async Task The_manifests_are_valid_kubernetes_objects_by_the_bundled_schemas_and_a_broken_one_is_refused()
    {
        var (code, output) = await CheckAsync();
        Assert.True(code == 0, output);
        Assert.Matches(@"\d+ Kubernetes objects valid", output);

        var broken = Path.Combine(Path.GetTempPath(), $"switchboard-broken-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(Path.Combine(Manifests, "silo.yaml"))).Replace("replicas: 3", "replicas: three"));
        try
        {
            var (brokenCode, brokenOutput) = await CheckAsync(broken);
            Assert.Equal(1, brokenCode);
            Assert.Contains("spec/replicas must be integer", brokenOutput);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Theory]
    [InlineData("replicas: 3", "replica: 3", "/spec: unknown field \"replica\"")]
    [InlineData("requests: { cpu: \"1\", memory: 1Gi }", "request: { cpu: \"1\", memory: 1Gi }", "/spec/template/spec/containers/0/resources: unknown field \"request\"")]
    [InlineData("key: redis }", "key: redis, optionl: true }", "/spec/template/spec/containers/0/env/1/valueFrom/secretKeyRef: unknown field \"optionl\"")]
    [InlineData("minAvailable", "minAvailble", "PodDisruptionBudget switchboard-silo: /spec: unknown field \"minAvailble\"")]
    public async Task A_misspelt_optional_field_anywhere_in_an_object_is_refused(string field, string misspelt, string expected)
    {
        var original = await File.ReadAllTextAsync(Path.Combine(Manifests, "silo.yaml"));
        Assert.Contains(field, original);
        var broken = Path.Combine(Path.GetTempPath(), $"switchboard-unknown-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(broken, original.Replace(field, misspelt));
        try
        {
            var (code, output) = await CheckAsync(broken);
            Assert.Equal(1, code);
            Assert.Contains(expected, output);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Every_configuration_key_the_manifests_set_exists_in_the_app()
    {
        var known = KnownKeys();
        var set = ManifestKeys().ToList();
        Assert.Contains("Orleans:Membership:ProbeTimeout", set);
        var unknown = set.Where(k => !IsKnown(k, known)).ToList();
        Assert.True(unknown.Count == 0, "keys set in deploy/kubernetes that the app does not read: " + string.Join(", ", unknown));
        // The check can fail: a misspelt section is not a key of the app.
        Assert.False(IsKnown("Orleans:Membrship:ProbeTimeout", known));
        Assert.False(IsKnown("Sip:RtpPortMaximum", known));
    }

    private static IEnumerable<string> ManifestKeys()
    {
        foreach (var file in Directory.GetFiles(Manifests, "*.yaml"))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var doc in stream.Documents)
                foreach (var env in Find(doc.RootNode, "env"))
                    if (env is YamlSequenceNode list)
                        foreach (var entry in list.OfType<YamlMappingNode>())
                            yield return ((YamlScalarNode)entry.Children[new YamlScalarNode("name")]).Value!.Replace("__", ":");
        }
    }

    private static IEnumerable<YamlNode> Find(YamlNode node, string key)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    if (k is YamlScalarNode { Value: var name } && name == key) yield return v;
                    foreach (var found in Find(v, key)) yield return found;
                }
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq)
                    foreach (var found in Find(item, key)) yield return found;
                break;
        }
    }

    private static bool IsKnown(string key, HashSet<string> known) =>
        known.Contains(key)
        // Read by the host, not by a section of ours: connection strings, logging, the pod's identity (Orleans Kubernetes hosting).
        || key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase)
        || key is "POD_NAME" or "POD_NAMESPACE" or "POD_IP"
        || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("DOTNET_", StringComparison.Ordinal);

    private static HashSet<string> KnownKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { SwitchboardRoles.Key };
        // appsettings.json, flattened (array elements under their list's key).
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "Silo", "appsettings.json"))))
            Flatten(json.RootElement, "", keys);
        // Options classes: a public const Section and the properties binding fills.
        foreach (var assembly in new[] { "Switchboard.Silo", "Channels", "Telephony", "Speech", "Grains", "Grains.Interfaces", "Tenancy", "Addressing" }.Select(Assembly.Load))
            foreach (var type in SafeTypes(assembly))
                if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetValue(null) is string section)
                    AddProperties(type, section, keys, 0);
        // Orleans' own options, bound from the sections ClusterTimings names.
        AddProperties(typeof(ClusterMembershipOptions), ClusterTimings.MembershipSection, keys, 0);
        AddProperties(typeof(SiloMessagingOptions), ClusterTimings.MessagingSection, keys, 0);
        AddProperties(typeof(ClientMessagingOptions), ClusterTimings.MessagingSection, keys, 0);
        AddProperties(typeof(GatewayOptions), ClusterTimings.GatewaySection, keys, 0);
        // Keys the code reads by name (config["Orleans:Kubernetes"], GetValue("Orleans:SiloPort", ...)).
        foreach (var folder in new[] { "Silo", "Channels", "Telephony", "Speech", "Grains", "Tenancy", "Addressing" })
            foreach (var file in Directory.GetFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories))
                foreach (Match m in KeyLiteral().Matches(File.ReadAllText(file)))
                    keys.Add(m.Groups[1].Value);
        return keys;
    }

    [GeneratedRegex("\"([A-Z][A-Za-z]+(?::[A-Z][A-Za-z]+)+)\"")]
    private static partial Regex KeyLiteral();

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }

    private static void AddProperties(Type type, string prefix, HashSet<string> keys, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || !p.PropertyType.IsValueType))
        {
            var key = prefix + ":" + property.Name;
            keys.Add(key);
            var t = property.PropertyType;
            if (depth < 3 && t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t))
                AddProperties(t, key, keys, depth + 1);
        }
    }

    private static void Flatten(JsonElement element, string prefix, HashSet<string> keys)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    var key = prefix.Length == 0 ? p.Name : prefix + ":" + p.Name;
                    keys.Add(key);
                    Flatten(p.Value, key, keys);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Flatten(item, prefix, keys);
                break;
        }
    }

    private static async Task<(int Code, string Output)> CheckAsync(params string[] files)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", "check-manifests.sh"));
        foreach (var f in files) start.ArgumentList.Add(f);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
