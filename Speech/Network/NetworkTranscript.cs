using Switchboard.Speech.Grammar;

namespace Switchboard.Speech.Network;

/// <summary>
/// Reads a free transcript (a server hears any words, with punctuation and numerals) through a turn's grammar, which
/// was written for a recogniser that hears only its phrases: the grammar's own reading first; then numerals for a digit
/// turn ("4 2 7 1." → 4271); then the one meaning whose phrases occur in the transcript as whole words ("yes please" →
/// yes). Two different meanings heard, or none, is no match, and the turn re-prompts rather than act on a guess.
/// </summary>
public static class NetworkTranscript
{
    public static string? Interpret(SpeechGrammar grammar, string transcript)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(transcript);
        if (grammar.Interpret(transcript) is { } direct) return direct;
        if (grammar.Digits is { } range)
        {
            var numerals = transcript.Where(char.IsAsciiDigit).ToArray();
            var onlyNumerals = transcript.All(c => char.IsAsciiDigit(c) || char.IsWhiteSpace(c) || c is '.' or ',' or '-');
            if (onlyNumerals && numerals.Length >= range.Min && numerals.Length <= range.Max) return new string(numerals);
        }
        var heard = " " + SpokenText.Phrase(transcript) + " ";
        string? found = null;
        foreach (var (phrase, value) in grammar.ValueByPhrase)
        {
            if (!heard.Contains(" " + phrase + " ", StringComparison.Ordinal)) continue;
            if (found is not null && found != value) return null;
            found = value;
        }
        return found;
    }
}
