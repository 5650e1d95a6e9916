namespace Switchboard.Grains.Pii;

/// <summary>Configuration section <c>Pii</c>. <see cref="MasterKey"/> is base64 of at least 32 bytes; with none set the silo makes one per process and says so (development only: vault contents do not survive a restart then).</summary>
public sealed class PiiOptions
{
    public const string Section = "Pii";

    public string? MasterKey { get; set; }
}
