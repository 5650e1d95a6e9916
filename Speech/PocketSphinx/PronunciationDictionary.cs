namespace Switchboard.Speech.PocketSphinx;

/// <summary>
/// The words pocketsphinx can pronounce (the CMU dictionary's entries). A grammar phrase with any other word is left out
/// of the compiled grammar rather than failing the whole turn.
/// </summary>
public sealed class PronunciationDictionary
{
    private readonly HashSet<string> _words;

    private PronunciationDictionary(HashSet<string> words) => _words = words;

    public int Count => _words.Count;

    public bool Contains(string word) => _words.Contains(word);

    public static PronunciationDictionary Load(string path)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var end = line.IndexOf(' ');
            if (end <= 0) continue;
            var word = line.AsSpan(0, end);
            var variant = word.IndexOf('('); // "read(2)" is a second pronunciation of "read"
            words.Add((variant > 0 ? word[..variant] : word).ToString());
        }
        return new PronunciationDictionary(words);
    }
}
