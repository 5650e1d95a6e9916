using System.Text;
using Switchboard.Grains.Pii;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// Customer text through the PII tokenizer (as it is, and expecting secret digits): it must not throw, it must be
/// idempotent (a second pass finds nothing and changes nothing), every finding's
/// token must be in the output as written, and every token in the output must be whole (a token inside a token can
/// never be resolved, and leaves the value's last digits in the transcript).
/// </summary>
public static class PiiTarget
{
    private static readonly PiiTokenizer Tokenizer = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        foreach (var secret in (bool[])[false, true])
        {
            var (tokenized, findings) = Tokenizer.Tokenize(text, secret);
            // Idempotent: tokenizing tokenized text finds nothing more and changes nothing.
            var (again, more) = Tokenizer.Tokenize(tokenized, secret);
            if (more.Count != 0 || again != tokenized)
                throw new InvalidOperationException($"Tokenizing tokenized text found more PII: {System.Text.Json.JsonSerializer.Serialize(tokenized)}");
            foreach (var f in findings)
                if (!tokenized.Contains(f.Token, StringComparison.Ordinal))
                    throw new InvalidOperationException($"The {f.Kind} token is not in the output: {System.Text.Json.JsonSerializer.Serialize(tokenized)}");
            // Outside whole tokens, no "{{" may be left that the input did not have: it would be a broken token. Each token
            // becomes a space, not nothing, so the braces around it ("{" token "{") are not joined into a "{{" of our own.
            var rest = PiiTokenizer.TokenPattern().Replace(tokenized, " ");
            if (Count(rest, "{{") > Count(text, "{{"))
                throw new InvalidOperationException($"A token was broken: {System.Text.Json.JsonSerializer.Serialize(tokenized)}");
        }
    }

    private static int Count(string s, string what)
    {
        var n = 0;
        for (var i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
