namespace Switchboard.Fuzz.Tests;

/// <summary>The repository's fuzz tree, found from the test's own folder.</summary>
public static class Corpora
{
    public static string FuzzRoot { get; } = Find();

    public static string For(string target) => Path.Combine(FuzzRoot, "corpora", target);

    public static IEnumerable<object[]> Targets => FuzzTargets.All.Keys.Select(k => new object[] { k });

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "fuzz", "corpora"))) return Path.Combine(dir.FullName, "fuzz");
        throw new DirectoryNotFoundException("fuzz/corpora not found above " + AppContext.BaseDirectory);
    }
}
