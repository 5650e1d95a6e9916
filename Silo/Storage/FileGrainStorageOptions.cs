namespace Switchboard.Silo.Storage;

/// <summary>Section <c>Storage</c>: where the embedded store keeps its files.</summary>
public sealed class FileGrainStorageOptions
{
    public const string Section = "Storage";

    public string Path { get; set; } = "data";
}
