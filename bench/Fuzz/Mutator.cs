namespace Switchboard.Bench.Fuzz;

/// <summary>
/// Byte-level mutations of seed inputs (flips, random bytes, insertions, deletions, duplicated and spliced chunks), the
/// same kinds afl++ applies, for the live campaigns, which cannot be coverage-guided across a process boundary.
/// Seeded, so a campaign is repeatable.
/// </summary>
public sealed class Mutator(IReadOnlyList<byte[]> seeds, int seed = 14)
{
    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        var rounds = 1 + _random.Next(8);
        for (var i = 0; i < rounds; i++) Mutate(data);
        return [.. data];
    }

    public byte[] Garbage(int maxLength)
    {
        var bytes = new byte[_random.Next(maxLength + 1)];
        _random.NextBytes(bytes);
        return bytes;
    }

    public int Below(int n) => _random.Next(n);

    private static readonly byte[] Interesting = [0, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)':', (byte)';', (byte)'"', (byte)'{', (byte)'}', (byte)'%', (byte)'0', (byte)'9'];

    private void Mutate(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(7))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                data.Insert(at, Interesting[_random.Next(Interesting.Length)]);
                break;
            case 3 when data.Count > 1:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + _random.Next(64));
                var chunk = data.GetRange(at, length);
                for (var r = _random.Next(1, 4); r > 0; r--) data.InsertRange(_random.Next(data.Count + 1), chunk);
                break;
            case 5:
                var other = seeds[_random.Next(seeds.Count)];
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + _random.Next(128)));
                }
                break;
            default:
                if (data.Count > 0) data.RemoveRange(at, data.Count - at);
                break;
        }
    }

    public static IReadOnlyList<byte[]> Seeds(string corpusFolder, int maxBytes = 8_192) =>
        Directory.EnumerateFiles(corpusFolder).Order().Select(File.ReadAllBytes).Where(b => b.Length <= maxBytes).ToList();
}
