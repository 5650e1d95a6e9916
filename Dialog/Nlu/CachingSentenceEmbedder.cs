namespace Switchboard.Dialog.Nlu;

/// <summary>
/// Remembers the vectors of the last <c>capacity</c> distinct sentences (least recently used goes first), so a text said
/// again ("thx a lot", "the evening one") costs a lookup instead of an encoder pass; the misses of one call go to the
/// encoder together, as one batch. Keys are the tokenized texts the engine classifies (never raw PII), in memory only.
/// Hand-written rather than <c>MemoryCache</c>: an exact-key, count-bounded LRU is a few lines and needs no package.
/// </summary>
public sealed class CachingSentenceEmbedder : ISentenceEmbedder, IDisposable
{
    private readonly ISentenceEmbedder _inner;
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Text, float[] Vector)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Text, float[] Vector)> _order = new();
    private readonly Lock _gate = new();
    private long _hits;
    private long _misses;

    public CachingSentenceEmbedder(ISentenceEmbedder inner, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        _capacity = capacity;
    }

    public int Count { get { lock (_gate) return _map.Count; } }

    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Texts sent to the encoder.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    public float[][] Embed(string[] sentences)
    {
        var result = new float[sentences.Length][];
        var missing = new List<int>();
        lock (_gate)
        {
            for (var i = 0; i < sentences.Length; i++)
            {
                if (_map.TryGetValue(sentences[i], out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    result[i] = node.Value.Vector;
                }
                else missing.Add(i);
            }
        }
        Interlocked.Add(ref _hits, sentences.Length - missing.Count);
        if (missing.Count == 0) return result;
        // Outside the lock: the encoder takes milliseconds and is thread-safe; two callers may encode the same text once each.
        var distinct = missing.Select(i => sentences[i]).Distinct(StringComparer.Ordinal).ToArray();
        Interlocked.Add(ref _misses, distinct.Length);
        var vectors = _inner.Embed(distinct);
        var byText = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var j = 0; j < distinct.Length; j++) byText[distinct[j]] = vectors[j];
        foreach (var i in missing) result[i] = byText[sentences[i]];
        lock (_gate)
        {
            foreach (var (text, vector) in byText)
            {
                if (_map.ContainsKey(text)) continue;
                _map[text] = _order.AddFirst((text, vector));
                if (_map.Count > _capacity)
                {
                    _map.Remove(_order.Last!.Value.Text);
                    _order.RemoveLast();
                }
            }
        }
        return result;
    }

    public void Dispose() => (_inner as IDisposable)?.Dispose();
}
