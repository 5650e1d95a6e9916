using Switchboard.Speech.Grammar;

namespace Switchboard.Speech.Tests;

public sealed class GrammarBuilderTests
{
    [Fact]
    public void Yes_no_phrasings_interpret_to_yes_or_no()
    {
        var grammar = new GrammarBuilder().YesNo().Build();
        Assert.Equal("yes", grammar.Interpret("yeah"));
        Assert.Equal("yes", grammar.Interpret("That's right"));
        Assert.Equal("no", grammar.Interpret("no thank you"));
        Assert.Null(grammar.Interpret("mumbai"));
        Assert.Null(grammar.Interpret(""));
    }

    [Fact]
    public void Menu_options_answer_to_their_words_and_to_their_number()
    {
        var grammar = new GrammarBuilder().Menu(["Check flight status", "Change my booking!"]).Build();
        Assert.Equal("Change my booking!", grammar.Interpret("change my booking"));
        Assert.Equal("Check flight status", grammar.Interpret("option one"));
        Assert.Equal("Change my booking!", grammar.Interpret("option 2"));
        Assert.Contains("<phrase> = change my booking | check flight status | option one | option two;", grammar.ToJsgf(null));
    }

    [Fact]
    public void Digit_strings_interpret_to_digits_within_the_length_range()
    {
        var grammar = new GrammarBuilder().Digits(4, 6).Build();
        Assert.Equal("4501", grammar.Interpret("four five oh one"));
        Assert.Equal("123456", grammar.Interpret("one two three four five six"));
        Assert.Null(grammar.Interpret("one two three")); // too short
        Assert.Null(grammar.Interpret("one two three four five six seven")); // too long
        Assert.Null(grammar.Interpret("one two three yes"));
        var jsgf = grammar.ToJsgf(null)!;
        Assert.Contains("<digits> = <digit> <digit> <digit> <digit> [<digit>] [<digit>];", jsgf);
        Assert.Contains("public <utterance> = <digits>;", jsgf);
    }

    [Fact]
    public void Intents_and_enumerations_map_phrasings_to_their_value()
    {
        var grammar = new GrammarBuilder()
            .Intent("book_flight", ["I want to book a flight", "book a flight"])
            .Enumeration(["Mumbai", "Delhi"])
            .Build();
        Assert.Equal("book_flight", grammar.Interpret("i want to book a flight"));
        Assert.Equal("Mumbai", grammar.Interpret("mumbai"));
        Assert.Equal(["a", "book", "delhi", "flight", "i", "mumbai", "to", "want"], grammar.Vocabulary.Order());
    }

    [Fact]
    public void Phrases_with_words_the_recogniser_cannot_pronounce_are_left_out_of_the_jsgf()
    {
        var grammar = new GrammarBuilder().Enumeration(["Mumbai", "Xqzzyville"]).Build();
        var known = new HashSet<string> { "mumbai" };
        var jsgf = grammar.ToJsgf(known.Contains)!;
        Assert.Contains("mumbai", jsgf);
        Assert.DoesNotContain("xqzzyville", jsgf);
        Assert.Null(new GrammarBuilder().Enumeration(["Xqzzyville"]).Build().ToJsgf(known.Contains));
    }

    [Fact]
    public void Same_content_gives_the_same_key_and_different_content_a_different_one()
    {
        var a = new GrammarBuilder().YesNo().Build("a");
        var b = new GrammarBuilder().YesNo().Build("b");
        var c = new GrammarBuilder().YesNo().Enumeration(["Delhi"]).Build("a");
        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, c.Key);
    }

    [Fact]
    public void Bad_grammar_requests_are_refused_clearly()
    {
        Assert.Throws<InvalidOperationException>(() => new GrammarBuilder().Build());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrammarBuilder().Digits(5, 2));
        Assert.Throws<ArgumentException>(() => new GrammarBuilder().Choice(" "));
    }

    [Fact]
    public void Spoken_text_turns_digits_into_words_and_drops_punctuation()
    {
        Assert.Equal("flight at four pm to mumbai", SpokenText.Phrase("Flight at 4 PM, to Mumbai!"));
        Assert.Equal("that's right", SpokenText.Phrase("That’s right."));
    }
}
