using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Switchboard.Analytics.Sketches;

/// <summary>
/// A HyperLogLog sketch of distinct customers: 2^14 one-byte registers (16 KB dense), 64-bit hashes, Ertl's improved
/// estimator (no empirical bias tables; unbiased from one element to billions). Relative standard error
/// 1.04/√16384 = 0.81 %; small sets (up to a few thousand) are counted almost exactly. Sketches merge by taking the
/// larger register, so per-hour and per-day sketches stored by the writer merge into any range at query time, and adding
/// an element twice (a redelivered event) changes nothing. No package on the served list does this; ~100 lines here.
/// </summary>
public sealed class DistinctSketch
{
    public const int Precision = 14;
    public const int Registers = 1 << Precision;
    /// <summary>The estimator's relative standard error, 1.04/√m.</summary>
    public static readonly double StandardError = 1.04 / Math.Sqrt(Registers);

    private const int Q = 64 - Precision;
    private const byte Sparse = 1, Dense = 2;
    private readonly byte[] _registers = new byte[Registers];

    /// <summary>A 64-bit hash of a customer id (FNV-1a, then MurmurHash3's finalizer to spread every bit).</summary>
    public static ulong Hash(string value)
    {
        var h = 14695981039346656037UL;
        foreach (var c in value) h = (h ^ c) * 1099511628211UL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    public void Add(string value) => AddHash(Hash(value));

    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> Q);
        var rank = (byte)(Math.Min(BitOperations.LeadingZeroCount(hash << Precision), Q) + 1);
        if (rank > _registers[index]) _registers[index] = rank;
    }

    public void Merge(DistinctSketch other) => MaxInto(_registers, other._registers);

    /// <summary>Merges a stored sketch (<see cref="Encode"/>'s form).</summary>
    public void Merge(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0) return;
        if (encoded[0] == Dense && encoded.Length == Registers + 1) MaxInto(_registers, encoded[1..]);
        else if (encoded[0] == Sparse && (encoded.Length - 1) % 3 == 0)
            for (var i = 1; i < encoded.Length; i += 3)
            {
                var index = BinaryPrimitives.ReadUInt16LittleEndian(encoded[i..]);
                if (encoded[i + 2] > _registers[index]) _registers[index] = encoded[i + 2];
            }
        else throw new InvalidDataException("Not a distinct-count sketch.");
    }

    public static DistinctSketch Decode(ReadOnlySpan<byte> encoded)
    {
        var sketch = new DistinctSketch();
        sketch.Merge(encoded);
        return sketch;
    }

    /// <summary>The stored form: the non-zero registers as (index, value) when that is shorter, else all of them.</summary>
    public byte[] Encode()
    {
        var used = Registers - _registers.AsSpan().Count((byte)0);
        if (used * 3 >= Registers)
        {
            var dense = new byte[Registers + 1];
            dense[0] = Dense;
            _registers.CopyTo(dense, 1);
            return dense;
        }
        var sparse = new byte[1 + used * 3];
        sparse[0] = Sparse;
        var at = 1;
        for (var i = 0; i < Registers; i++)
        {
            if (_registers[i] == 0) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(sparse.AsSpan(at), (ushort)i);
            sparse[at + 2] = _registers[i];
            at += 3;
        }
        return sparse;
    }

    public bool IsEmpty => !_registers.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>The estimated number of distinct elements (Ertl 2017, "New cardinality estimation algorithms for HyperLogLog sketches", improved raw estimator).</summary>
    public long Estimate()
    {
        Span<int> counts = stackalloc int[Q + 2];
        foreach (var r in _registers) counts[r]++;
        if (counts[0] == Registers) return 0;
        double m = Registers;
        var z = m * Tau(1 - counts[Q + 1] / m);
        for (var k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]);
        z += m * Sigma(counts[0] / m);
        return (long)Math.Round(m * m / (2 * Math.Log(2)) / z);
    }

    private static double Sigma(double x)
    {
        if (x == 1) return double.PositiveInfinity;
        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (z != previous);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1) return 0;
        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (z != previous);
        return z / 3;
    }

    private static void MaxInto(Span<byte> into, ReadOnlySpan<byte> from)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var a = MemoryMarshal.Cast<byte, Vector<byte>>(into);
            var b = MemoryMarshal.Cast<byte, Vector<byte>>(from);
            for (; i < a.Length; i++) a[i] = Vector.Max(a[i], b[i]);
            i *= Vector<byte>.Count;
        }
        for (; i < into.Length; i++) if (from[i] > into[i]) into[i] = from[i];
    }
}
