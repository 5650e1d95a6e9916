namespace Switchboard.Grains;

public static class StorageNames
{
    /// <summary>The grain storage every Switchboard grain persists to (file store embedded, Redis in production).</summary>
    public const string Main = "switchboard";
}
