using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// One record of the write-ahead log: <c>[u32 length][u32 crc32][u8 kind][16-byte stream key][u64 sequence][payload]</c>,
/// little-endian; the length counts the whole record and the CRC covers everything after it, so a torn tail is found
/// on recovery. The stream key is a hash of the stream's name: a grain id appears on disk only in a record that leaves
/// work pending (flag <see cref="Pending"/>) or in the first live record and the snapshots of a listed stream (flag
/// <see cref="Named"/>, <see cref="JournalListing"/>); either flag prefixes the payload with <c>[u16 length][name]</c>,
/// so recovery can find the grain.
/// </summary>
public static class WalRecord
{
    public const int HeaderSize = 4 + 4 + 1 + 16 + 8;
    public const int MaxPayload = 64 * 1024 * 1024;
    /// <summary>Kind flag: the record leaves work pending for its stream and carries the stream's name.</summary>
    public const byte Pending = 0x10;
    /// <summary>Kind flag: the record carries the stream's name (a listed stream), no work pending.</summary>
    public const byte Named = 0x20;
    private const byte Flags = Pending | Named;

    private static bool HasName(byte kindByte) => (kindByte & Flags) != 0;

    public static int SizeOf(int payload, string? name) => HeaderSize + payload + (name is null ? 0 : 2 + Encoding.UTF8.GetByteCount(name));

    /// <summary>Where the payload of a record starts (after the name of a named record).</summary>
    public static int PayloadOffset(ReadOnlySpan<byte> record) =>
        !HasName(record[8]) ? HeaderSize : HeaderSize + 2 + BinaryPrimitives.ReadUInt16LittleEndian(record[HeaderSize..]);

    public static string NameOf(ReadOnlySpan<byte> record) =>
        Encoding.UTF8.GetString(record.Slice(HeaderSize + 2, BinaryPrimitives.ReadUInt16LittleEndian(record[HeaderSize..])));

    public static UInt128 KeyOf(string stream)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(stream), hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <param name="name">The stream's name, written when the record leaves work pending or names a listed stream.</param>
    /// <param name="pending">The record leaves work pending (needs <paramref name="name"/>).</param>
    public static int Write(Span<byte> destination, JournalRecordKind kind, UInt128 key, long sequence, ReadOnlySpan<byte> payload, string? name = null, bool pending = false)
    {
        if (pending && name is null) throw new ArgumentException("A record that leaves work pending carries its stream's name.", nameof(name));
        var length = SizeOf(payload.Length, name);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        destination[8] = (byte)((byte)kind | (name is null ? 0 : pending ? Pending : Named));
        BinaryPrimitives.WriteUInt128LittleEndian(destination[9..], key);
        BinaryPrimitives.WriteInt64LittleEndian(destination[25..], sequence);
        var at = HeaderSize;
        if (name is not null)
        {
            var written = Encoding.UTF8.GetBytes(name, destination[(HeaderSize + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[HeaderSize..], (ushort)written);
            at += 2 + written;
        }
        payload.CopyTo(destination[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32.HashToUInt32(destination[8..length]));
        return length;
    }

    /// <summary>Turns a record read from disk into its scrubbed form: same length, key and sequence, payload zeroed, CRC redone.</summary>
    public static void Scrub(Span<byte> record)
    {
        record[8] = (byte)JournalRecordKind.Scrubbed;
        record[HeaderSize..].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32.HashToUInt32(record[8..]));
    }

    /// <summary>Reads the header at the start of <paramref name="source"/>; false for a torn or corrupt record.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out JournalRecordKind kind, out UInt128 key, out long sequence, out int length) =>
        TryRead(source, out kind, out key, out sequence, out length, out _, out _);

    /// <param name="named">The record carries its stream's name (<see cref="NameOf"/>).</param>
    /// <param name="pending">The record leaves work pending for its stream.</param>
    public static bool TryRead(ReadOnlySpan<byte> source, out JournalRecordKind kind, out UInt128 key, out long sequence, out int length, out bool named, out bool pending)
    {
        named = false;
        pending = false;
        kind = default;
        key = default;
        sequence = 0;
        length = 0;
        if (source.Length < HeaderSize) return false;
        length = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (length < HeaderSize || length > HeaderSize + MaxPayload || length > source.Length) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32.HashToUInt32(source[8..length])) return false;
        named = HasName(source[8]);
        pending = (source[8] & Pending) != 0;
        if ((source[8] & Flags) == Flags) return false;
        kind = (JournalRecordKind)(source[8] & ~Flags);
        if (named && (length < HeaderSize + 2 || HeaderSize + 2 + BinaryPrimitives.ReadUInt16LittleEndian(source[HeaderSize..]) > length)) return false;
        if (kind is not (JournalRecordKind.Event or JournalRecordKind.Snapshot or JournalRecordKind.Tombstone or JournalRecordKind.Scrubbed)) return false;
        key = BinaryPrimitives.ReadUInt128LittleEndian(source[9..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(source[25..]);
        return true;
    }
}
