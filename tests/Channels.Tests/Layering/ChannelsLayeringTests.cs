using System.Xml.Linq;
using Switchboard.Channels.Outbox;

namespace Switchboard.Channels.Tests.Layering;

/// <summary>
/// Channels see only the contracts (Grains.Interfaces) and small libraries, so a gateway process can host them
/// without the grains' implementation. Checked on the project files (a reference nobody uses yet still counts) and
/// on the built assembly.
/// </summary>
public sealed class ChannelsLayeringTests
{
    /// <summary>The contracts and pure libraries (no Orleans grains): Journeys is the journeys' rules as plain code (pacing, capacity share).</summary>
    private static readonly string[] Allowed = ["Grains.Interfaces", "Addressing", "Tenancy", "Telephony", "Speech", "Journeys"];
    private static readonly string[] Ours = ["Grains", "Grains.Interfaces", "Addressing", "Tenancy", "Silo", "Channels", "Journeys"];

    [Fact]
    public void Channels_reference_no_grain_implementation_directly_or_through_a_library()
    {
        var channels = Path.Combine(RepositoryRoot(), "Channels", "Channels.csproj");
        var reached = ProjectsReachedFrom(channels);
        Assert.NotEmpty(reached);
        Assert.All(reached, p => Assert.Contains(p, Allowed));
    }

    [Fact]
    public void The_built_channels_assembly_loads_none_of_the_grains_code()
    {
        var ours = typeof(ReplyDispatcher).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => Ours.Contains(n))
            .ToList();
        Assert.DoesNotContain("Grains", ours);
        Assert.DoesNotContain("Silo", ours);
        Assert.All(ours, n => Assert.Contains(n, Allowed));
    }

    /// <summary>Every project a project references, transitively, by project name.</summary>
    private static HashSet<string> ProjectsReachedFrom(string project)
    {
        var reached = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
            foreach (var include in XDocument.Load(current).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")))
            {
                if (include is null) continue;
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include.Replace('\\', Path.DirectorySeparatorChar)));
                if (reached.Add(Path.GetFileNameWithoutExtension(path))) pending.Push(path);
            }
        return reached;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No orleans.sln above {AppContext.BaseDirectory}.");
    }
}
