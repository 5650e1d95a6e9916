using Switchboard.Silo.Storage;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// Where the embedded store, the generated PII key and the journal live: <c>Storage:Path</c> (default <c>data</c>),
/// resolved against the working directory the engine was started from, never its content root. A folder inside a
/// project (a directory holding a <c>*.csproj</c>) is refused: a routine <c>git add -A</c> there would commit the
/// key that unseals every customer's vault.
/// </summary>
public static class DataFolder
{
    public const string DefaultPath = "data";

    public static string Resolve(IConfiguration configuration, string workingDirectory)
    {
        var configured = configuration[$"{FileGrainStorageOptions.Section}:Path"];
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured, workingDirectory);
        foreach (var dir in Checked(path, Path.GetFullPath(workingDirectory)))
        {
            var project = dir.Exists ? dir.EnumerateFiles("*.csproj").FirstOrDefault() : null;
            if (project is not null)
                throw new InvalidOperationException(
                    $"Storage:Path resolves to {path}, inside the project folder {dir.FullName} ({project.Name}): the PII key and the " +
                    "journal must not live in a source tree. Start the engine from the repository root (./run.sh keeps its data in ./data) " +
                    "or set Storage:Path to a folder outside the project.");
        }
        return path;
    }

    /// <summary>
    /// The folders from the data folder up to the working directory when it is under it (where `cd Silo` would put
    /// it); a path set elsewhere on purpose is checked itself only.
    /// </summary>
    private static IEnumerable<DirectoryInfo> Checked(string path, string workingDirectory)
    {
        var top = Path.TrimEndingDirectorySeparator(workingDirectory);
        if (!path.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            yield return new DirectoryInfo(path);
            yield break;
        }
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            yield return dir;
            if (Path.TrimEndingDirectorySeparator(dir.FullName) == top) yield break;
        }
    }
}
