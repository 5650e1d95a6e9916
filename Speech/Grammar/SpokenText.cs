using System.Text;

namespace Switchboard.Speech.Grammar;

/// <summary>
/// Turns dialog text ("Option 2: Mumbai!", "4 PM") into the lower-case words a recogniser can listen for
/// ("option two mumbai", "four pm"): digits become digit words, punctuation goes, apostrophes inside words stay.
/// </summary>
public static class SpokenText
{
    public static readonly IReadOnlyList<string> DigitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>Words spoken for a digit, beyond <see cref="DigitWords"/>: "oh" is zero in phone numbers.</summary>
    public static int? DigitOf(string word) => word switch
    {
        "oh" => 0,
        _ => DigitWords.IndexOf(word) is var i and >= 0 ? i : null,
    };

    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            var w = current.ToString().Trim('\'');
            if (w.Length > 0) words.Add(w);
            current.Clear();
        }
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsAsciiDigit(c))
            {
                Flush();
                words.Add(DigitWords[c - '0']);
            }
            else if (char.IsLetter(c)) current.Append(char.ToLowerInvariant(c));
            else if (c == '\'' || c == '’') current.Append('\'');
            else Flush();
        }
        Flush();
        return words;
    }

    public static string Phrase(string text) => string.Join(' ', Words(text));
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
