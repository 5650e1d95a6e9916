using System.Text;
using Switchboard.Grains.Pii;

namespace Switchboard.Fuzz.Targets;

/// <summary>Customer text through the PII tokenizer (as it is and expecting secret digits): tokenizing must be idempotent and leave no finding's value behind.</summary>
public static class PiiTarget
{
    private static readonly PiiTokenizer Tokenizer = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        foreach (var secret in (bool[])[false, true])
        {
            var (tokenized, findings) = Tokenizer.Tokenize(text, secret);
            var (again, more) = Tokenizer.Tokenize(tokenized, secret);
            if (more.Count != 0 || again != tokenized) throw new InvalidOperationException("Tokenizing tokenized text found more PII.");
        }
    }
}
