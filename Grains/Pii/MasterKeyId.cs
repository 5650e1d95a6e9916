namespace Switchboard.Grains.Pii;

/// <summary>The name of one master key in <c>Pii:MasterKeys</c>: 1 to 32 of <c>A-Z a-z 0-9 . _ -</c>, stored in every value sealed under it.</summary>
public static class MasterKeyId
{
    public static bool IsValid(string? id) => id is { Length: >= 1 and <= 32 } && id.All(c => c < 128 && IsIdByte((byte)c));

    public static bool IsIdByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'_' or (byte)'-';
}
