using Switchboard.Grains.Pii;
using Switchboard.TestSupport;

namespace Switchboard.Grains.Tests.Pii;

public class PiiTokenizerTests
{
    private static readonly PiiTokenizer Tokenizer = new(new byte[32]);

    [Theory]
    [InlineData("4111 1111 1111 1111", "1111")]
    [InlineData("5500-0000-0000-0004", "0004")]
    [InlineData("378282246310005", "0005")]
    public void Luhn_valid_card_numbers_become_card_tokens_keeping_the_last_four(string card, string last4)
    {
        var (text, findings) = Tokenizer.Tokenize($"my card is {card} thanks");
        Assert.DoesNotContain(card, text);
        var finding = Assert.Single(findings);
        Assert.Equal(PiiKind.Card, finding.Kind);
        Assert.StartsWith($"{{{{card:{last4}:", finding.Token);
        Assert.Equal($"my card is {finding.Token} thanks", text);
        Assert.Equal(card.Replace(" ", "").Replace("-", ""), finding.Raw);
    }

    [Theory]
    [InlineData("I want to book a service")]
    [InlineData("yes please, the earlier slot")]
    [InlineData("")]
    public void Text_without_a_digit_or_an_at_sign_comes_back_as_it_was_with_no_findings(string said)
    {
        var (text, findings) = Tokenizer.Tokenize(said, expectSecretDigits: true);
        Assert.Same(said, text);
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("1#")]
    [InlineData("press 1 for sales")]
    [InlineData("option २")]
    public void Text_with_one_digit_and_no_at_sign_comes_back_as_it_was_with_no_findings(string said)
    {
        Assert.False(PiiTokenizer.MayHoldPii(said));
        var (text, findings) = Tokenizer.Tokenize(said, expectSecretDigits: true);
        Assert.Same(said, text);
        Assert.Empty(findings);
    }

    [Fact]
    public void An_iban_with_only_its_two_check_digits_still_reaches_the_patterns()
    {
        // The fewest digits any pattern needs: a valid IBAN whose account part is all letters (mod 97 holds).
        const string iban = "GB75WESTABCDEFGHIJKLMN"; // 22 characters, as a GB IBAN has
        Assert.True(PiiTokenizer.MayHoldPii(iban));
        var (text, findings) = Tokenizer.Tokenize($"my iban is {iban}");
        Assert.Equal(PiiKind.Iban, Assert.Single(findings).Kind);
        Assert.DoesNotContain(iban, text);
    }

    [Fact]
    public void Digits_of_another_script_still_reach_the_patterns()
    {
        // Devanagari digits are decimal digits to the patterns' \d: the quick skip for digit-free text must not skip them.
        var (text, findings) = Tokenizer.Tokenize("my otp is १२३४५६");
        var finding = Assert.Single(findings);
        Assert.Equal(PiiKind.Otp, finding.Kind);
        Assert.DoesNotContain("१२३", text);
        var (mail, mailFindings) = Tokenizer.Tokenize("write to asha@example.org");
        Assert.Equal(PiiKind.Email, Assert.Single(mailFindings).Kind);
        Assert.DoesNotContain("asha@", mail);
    }

    [Fact]
    public void A_sixteen_digit_number_failing_luhn_is_left_alone()
    {
        var (text, findings) = Tokenizer.Tokenize("order 4111111111111112 shipped");
        Assert.Empty(findings);
        Assert.Equal("order 4111111111111112 shipped", text);
    }

    [Fact]
    public void Verhoeff_valid_aadhaar_is_tokenized_and_an_invalid_one_is_not()
    {
        var canary = new Canary();
        var (text, findings) = Tokenizer.Tokenize($"aadhaar {canary.AadhaarSpaced}");
        Assert.Equal(PiiKind.Aadhaar, Assert.Single(findings).Kind);
        Assert.DoesNotContain(canary.Aadhaar[..4], text.Replace(canary.Aadhaar[^4..], ""));

        var broken = canary.Aadhaar[..11] + (char)('0' + (canary.Aadhaar[11] - '0' + 1) % 10);
        Assert.Empty(Tokenizer.Tokenize($"aadhaar {broken}").Findings);
    }

    [Theory]
    [InlineData("PAN ABCPE1234F please", PiiKind.Pan)]
    [InlineData("ssn 123-45-6789", PiiKind.Ssn)]
    [InlineData("IBAN GB82 WEST 1234 5698 7654 32", PiiKind.Iban)]
    [InlineData("IBAN DE89370400440532013000", PiiKind.Iban)]
    [InlineData("mail me at Asha.Rao+x@example.co.in", PiiKind.Email)]
    [InlineData("the OTP is 482913", PiiKind.Otp)]
    [InlineData("my one-time code: 9921", PiiKind.Otp)]
    public void Each_kind_is_recognised(string input, PiiKind kind)
    {
        var (text, findings) = Tokenizer.Tokenize(input);
        var finding = Assert.Single(findings);
        Assert.Equal(kind, finding.Kind);
        Assert.DoesNotContain(finding.Raw, text, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(PiiTokenizer.TokenPattern(), text);
    }

    [Theory]
    [InlineData("ssn 000-12-3456")]
    [InlineData("IBAN GB82 WEST 1234 5698 7654 33")]
    [InlineData("flight 4:00 PM to Mumbai on 25 Dec, booking ABC123, 2 bags")]
    [InlineData("call me on 9800000001 at 1600")]
    public void Look_alikes_are_not_tokenized(string input)
    {
        var (text, findings) = Tokenizer.Tokenize(input);
        Assert.Empty(findings);
        Assert.Equal(input, text);
    }

    [Fact]
    public void Bare_digits_count_as_an_otp_only_when_the_dialog_expects_a_secret()
    {
        Assert.Empty(Tokenizer.Tokenize("482913").Findings);
        Assert.Equal(PiiKind.Otp, Assert.Single(Tokenizer.Tokenize("482913", expectSecretDigits: true).Findings).Kind);
    }

    [Fact]
    public void Tokens_are_deterministic_per_key_and_differ_between_keys()
    {
        var other = new PiiTokenizer(Enumerable.Repeat((byte)7, 32).ToArray());
        var a1 = Tokenizer.Tokenize("card 4111111111111111").Text;
        var a2 = Tokenizer.Tokenize("card 4111 1111 1111 1111").Text;
        var b = other.Tokenize("card 4111111111111111").Text;
        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
    }

    [Fact]
    public void Several_values_in_one_message_are_all_replaced()
    {
        var canary = new Canary();
        var (text, findings) = Tokenizer.Tokenize($"card {canary.CardSpaced}, aadhaar {canary.Aadhaar}, mail {canary.Email}");
        Assert.Equal(3, findings.Count);
        Assert.Null(canary.FoundIn(text));
    }
}
