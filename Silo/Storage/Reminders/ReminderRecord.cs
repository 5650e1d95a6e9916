using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Silo.Storage.Reminders;

/// <summary>
/// The bytes of a reminder change in the journal. A row: grain id and reminder name (UTF-8, length-prefixed), start
/// (UTC ticks), period (ticks), ETag. Grain ids are ids (customer ids, journey ids), never an address or a name.
/// </summary>
internal static class ReminderRecord
{
    private const byte FormatVersion = 1;
    private const byte UpsertTag = 1;
    private const byte RemoveTag = 2;
    private const byte SnapshotTag = 3;

    public static byte[] Upsert(ReminderEntry row)
    {
        var w = new RecordWriter();
        w.Byte(FormatVersion).Byte(UpsertTag);
        WriteRow(w, row);
        return w.ToArray();
    }

    public static byte[] Remove(GrainId grainId, string name) =>
        new RecordWriter().Byte(FormatVersion).Byte(RemoveTag).Text(grainId.ToString()).Text(name).ToArray();

    public static byte[] Snapshot(IEnumerable<ReminderEntry> rows)
    {
        var list = rows.ToList();
        var w = new RecordWriter().Byte(FormatVersion).Byte(SnapshotTag).Int(list.Count);
        foreach (var row in list) WriteRow(w, row);
        return w.ToArray();
    }

    public static List<ReminderEntry> ReadSnapshot(ReadOnlySpan<byte> bytes)
    {
        var r = new RecordReader(bytes);
        Expect(ref r, SnapshotTag);
        var count = r.Int();
        var rows = new List<ReminderEntry>(count);
        for (var i = 0; i < count; i++) rows.Add(ReadRow(ref r));
        return rows;
    }

    public static void Apply(ReadOnlySpan<byte> bytes, ReminderShard shard)
    {
        var r = new RecordReader(bytes);
        if (r.Byte() != FormatVersion) throw new InvalidDataException("Unknown reminder record format.");
        switch (r.Byte())
        {
            case UpsertTag: shard.Put(ReadRow(ref r)); break;
            case RemoveTag: shard.Remove(GrainId.Parse(r.Text()), r.Text()); break;
            case SnapshotTag:
                shard.Clear();
                var count = r.Int();
                for (var i = 0; i < count; i++) shard.Put(ReadRow(ref r));
                break;
            default: throw new InvalidDataException("Unknown reminder record kind.");
        }
    }

    private static void Expect(ref RecordReader r, byte tag)
    {
        if (r.Byte() != FormatVersion || r.Byte() != tag) throw new InvalidDataException("Unexpected reminder record.");
    }

    private static void WriteRow(RecordWriter w, ReminderEntry row) =>
        w.Text(row.GrainId.ToString()).Text(row.ReminderName).Long(row.StartAt.ToUniversalTime().Ticks).Long(row.Period.Ticks).Text(row.ETag ?? "");

    private static ReminderEntry ReadRow(ref RecordReader r) => new()
    {
        GrainId = GrainId.Parse(r.Text()),
        ReminderName = r.Text(),
        StartAt = new DateTime(r.Long(), DateTimeKind.Utc),
        Period = TimeSpan.FromTicks(r.Long()),
        ETag = r.Text(),
    };

    private sealed class RecordWriter
    {
        private readonly MemoryStream _buffer = new();

        public RecordWriter Byte(byte value) { _buffer.WriteByte(value); return this; }

        public RecordWriter Int(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            _buffer.Write(b);
            return this;
        }

        public RecordWriter Long(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, value);
            _buffer.Write(b);
            return this;
        }

        public RecordWriter Text(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Int(bytes.Length);
            _buffer.Write(bytes);
            return this;
        }

        public byte[] ToArray() => _buffer.ToArray();
    }

    private ref struct RecordReader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public byte Byte()
        {
            var b = _rest[0];
            _rest = _rest[1..];
            return b;
        }

        public int Int()
        {
            var v = BinaryPrimitives.ReadInt32LittleEndian(_rest);
            _rest = _rest[4..];
            return v;
        }

        public long Long()
        {
            var v = BinaryPrimitives.ReadInt64LittleEndian(_rest);
            _rest = _rest[8..];
            return v;
        }

        public string Text()
        {
            var length = Int();
            var s = Encoding.UTF8.GetString(_rest[..length]);
            _rest = _rest[length..];
            return s;
        }
    }
}
