using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Journaling;

namespace Switchboard.Silo.Storage.Journal;

/// <summary>
/// One record of the write-ahead log: <c>[u32 length][u32 crc32][u8 kind][16-byte stream key][u64 sequence][payload]</c>,
/// little-endian; the length counts the whole record and the CRC covers everything after it, so a torn tail is found
/// on recovery. The stream key is a hash of the stream's name: no grain id appears on disk.
/// </summary>
public static class WalRecord
{
    public const int HeaderSize = 4 + 4 + 1 + 16 + 8;
    public const int MaxPayload = 64 * 1024 * 1024;

    public static UInt128 KeyOf(string stream)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(stream), hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    public static int Write(Span<byte> destination, JournalRecordKind kind, UInt128 key, long sequence, ReadOnlySpan<byte> payload)
    {
        var length = HeaderSize + payload.Length;
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        destination[8] = (byte)kind;
        BinaryPrimitives.WriteUInt128LittleEndian(destination[9..], key);
        BinaryPrimitives.WriteInt64LittleEndian(destination[25..], sequence);
        payload.CopyTo(destination[HeaderSize..]);
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
    public static bool TryRead(ReadOnlySpan<byte> source, out JournalRecordKind kind, out UInt128 key, out long sequence, out int length)
    {
        kind = default;
        key = default;
        sequence = 0;
        length = 0;
        if (source.Length < HeaderSize) return false;
        length = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (length < HeaderSize || length > HeaderSize + MaxPayload || length > source.Length) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != Crc32.HashToUInt32(source[8..length])) return false;
        kind = (JournalRecordKind)source[8];
        if (kind is not (JournalRecordKind.Event or JournalRecordKind.Snapshot or JournalRecordKind.Tombstone or JournalRecordKind.Scrubbed)) return false;
        key = BinaryPrimitives.ReadUInt128LittleEndian(source[9..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(source[25..]);
        return true;
    }
}
