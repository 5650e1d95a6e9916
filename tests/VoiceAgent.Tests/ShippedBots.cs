namespace Switchboard.VoiceAgent.Tests;

/// <summary>The shipped bots (copied beside the tests at build), for tests that run the engine on an edited copy.</summary>
public static class ShippedBots
{
    /// <summary>Copies every shipped bot folder, subfolders included, into <paramref name="folder"/>.</summary>
    public static void CopyTo(string folder)
    {
        var from = Path.Combine(AppContext.BaseDirectory, "bots");
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(folder, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(folder, Path.GetRelativePath(from, file)), overwrite: true);
    }
}
