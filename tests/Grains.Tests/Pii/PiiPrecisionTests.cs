using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Tests.Pii;

/// <summary>What the tokenizer must not take for PII, and how tokens read for people.</summary>
public class PiiPrecisionTests
{
    private static readonly PiiTokenizer Tokenizer = new(new byte[32]);

    [Theory]
    // Pass mod-97 but are no IBAN: India has no IBAN; the UK's is 22 characters long, not 18.
    [InlineData("ref IN41MH12AB1234PLEASE")]
    [InlineData("ref GB79WEST1234569876")]
    [InlineData("ref MH90ABCDEFGH1234567")]
    public void A_mod97_string_without_a_registered_country_and_its_length_is_no_iban(string input)
    {
        var (text, findings) = Tokenizer.Tokenize(input);
        Assert.Empty(findings);
        Assert.Equal(input, text);
    }

    [Theory]
    [InlineData("brake check for MH12AB1234 please")]
    [InlineData("my car is MH 12 AB 1234, book it for tomorrow")]
    [InlineData("is SW 221 on time")]
    [InlineData("rebook AB12CD to Delhi")]
    [InlineData("order id ffeaa2903a is late")]
    [InlineData("KA05MN4321 needs tyres")]
    public void Plates_flight_numbers_booking_references_and_lower_case_ids_are_not_pii(string input)
    {
        var (text, findings) = Tokenizer.Tokenize(input);
        Assert.Empty(findings);
        Assert.Equal(input, text);
    }

    [Fact]
    public void An_iban_followed_by_words_is_tokenized_and_the_words_stay()
    {
        var (text, findings) = Tokenizer.Tokenize("IBAN DE89370400440532013000 thanks a lot");
        var finding = Assert.Single(findings);
        Assert.Equal(PiiKind.Iban, finding.Kind);
        Assert.Equal("DE89370400440532013000", finding.Raw);
        Assert.EndsWith(" thanks a lot", text);
    }

    [Fact]
    public void A_lower_case_pan_counts_after_words_that_say_it_is_one()
    {
        var (_, findings) = Tokenizer.Tokenize("my pan card number is abcpe1234f");
        Assert.Equal(PiiKind.Pan, Assert.Single(findings).Kind);
    }

    [Theory]
    [InlineData("card", "1111", "the card ending 1111")]
    [InlineData("iban", "3000", "the account ending 3000")]
    [InlineData("email", "example.com", "your example.com email address")]
    [InlineData("otp", "", "the code")]
    [InlineData("pan", "", "the PAN")]
    public void Tokens_read_for_people(string kind, string shown, string expected)
    {
        var reply = PiiDisplay.Humanize($"We'll use {{{{{kind}:{shown}:0123456789}}}} for that.");
        Assert.Equal($"We'll use {expected} for that.", reply);
        Assert.DoesNotMatch(PiiTokenizer.TokenPattern(), reply);
    }
}
