using CsCheck;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>tokenize(tokenize(x)) == tokenize(x): a second pass over tokenized text finds nothing and changes nothing.</summary>
public class PiiIdempotenceTests
{
    private static readonly PiiTokenizer Tokenizer = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static readonly Gen<string> DigitRun =
        Gen.Int[1, 19].SelectMany(n => Gen.Char["0123456789"].Array[n]).Select(a => new string(a));

    /// <summary>A Luhn-valid number of 13 to 19 digits: the fuzzer's 14-digit cards beside other digit groups.</summary>
    private static readonly Gen<string> Card =
        Gen.Int[12, 18].SelectMany(n => Gen.Char["0123456789"].Array[n]).Select(a => WithLuhnCheckDigit(new string(a)));

    private static readonly Gen<string> Fragment = Gen.OneOf(
        DigitRun, DigitRun, Card,
        Gen.OneOf(" ", " ", "  ", "-", "card ", "otp ", "pin is ", "PAN ", "pan: ", "a.b@example.com", "mail a.b@exa",
            "DE89 3704 0044 0532 0130 00", "DE89", "ABCPE1234F", "abcpe1234f", "{{", "}}", ":", "+91", "x", "!", "\n"));

    private static readonly Gen<string> Text = Fragment.Array[0, 24].Select(string.Concat);

    [Fact]
    public void Tokenizing_tokenized_text_changes_nothing() =>
        Gen.Select(Text, Gen.Bool).Sample((text, secret) =>
        {
            var (once, _) = Tokenizer.Tokenize(text, secret);
            var (twice, more) = Tokenizer.Tokenize(once, secret);
            return twice == once && more.Count == 0;
        }, iter: 20_000);

    [Theory]
    // The fuzzer's seeds (fuzz/corpora/pii/regression-adjacent-digits-*): a 14-digit card inside longer digit groups.
    [InlineData("call me on +91000000000000 98000 00001 or mail a.b@exa21! DE89 0000000000000 0130   040024 053202130003")]
    [InlineData("04 24 0000000000 0130000000+000000000000000000 *0 pl")]
    public void Fuzzer_seeds_with_a_card_beside_other_digit_groups_are_stable_after_one_pass(string text)
    {
        foreach (var secret in (bool[])[false, true])
        {
            var (once, _) = Tokenizer.Tokenize(text, secret);
            var (twice, more) = Tokenizer.Tokenize(once, secret);
            Assert.Empty(more);
            Assert.Equal(once, twice);
        }
    }

    private static string WithLuhnCheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return body + (char)('0' + (10 - sum % 10) % 10);
    }
}
