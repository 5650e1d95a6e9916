using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Channels.Voice.Agent;

namespace Switchboard.Dialog.Tests;

public sealed class VoiceRendererTests
{
    private readonly VoiceRenderer _renderer = new();

    [Theory]
    [InlineData("It leaves at 4:00 PM.", "It leaves at four p.m.")]
    [InlineData("Boarding at 9:30 AM, landing 9:05 pm.", "Boarding at nine thirty a.m., landing nine oh five p.m.")]
    [InlineData("Departs 16:00, arrives 00:00.", "Departs four p.m., arrives midnight.")]
    [InlineData("See you at 12:00 PM.", "See you at noon.")]
    public void Times_are_said_the_way_people_say_them(string text, string spoken) =>
        Assert.Equal(spoken, VoiceRenderer.Speakable(text));

    [Theory]
    [InlineData("on Wednesday 25 November", "on Wednesday the twenty-fifth of November")]
    [InlineData("by 1st Dec", "by the first of December")]
    [InlineData("from Dec 3", "from December the third")]
    [InlineData("on 2026-12-31", "on the thirty-first of December twenty twenty-six")]
    public void Dates_are_said_as_ordinals(string text, string spoken) =>
        Assert.Equal(spoken, VoiceRenderer.Speakable(text));

    [Theory]
    [InlineData("That's ₹1,250.50 in total.", "That's one thousand two hundred and fifty rupees and fifty paise in total.")]
    [InlineData("A fee of $12.", "A fee of twelve dollars.")]
    [InlineData("Refund: Rs 1 only", "Refund: one rupee only")]
    [InlineData("€2,000,000", "two million euros")]
    public void Amounts_are_said_with_their_currency(string text, string spoken) =>
        Assert.Equal(spoken, VoiceRenderer.Speakable(text));

    [Theory]
    [InlineData("Your booking reference stays AB12CD.", "Your booking reference stays A B one two C D.")]
    [InlineData("You're on SW 221, seat 14C, gate B12.", "You're on S W two two one, seat one four C, gate B one two.")]
    [InlineData("Car MH 12 AB 1234 is affected.", "Car M H one two A B one two three four is affected.")]
    [InlineData("Call +1 555 010 0000 now.", "Call plus one five five five zero one zero zero zero zero zero now.")]
    public void References_and_numbers_are_spelled_out(string text, string spoken) =>
        Assert.Equal(spoken, VoiceRenderer.Speakable(text));

    [Fact]
    public void Emoji_urls_and_markdown_are_never_spoken()
    {
        var spoken = VoiceRenderer.Speakable("✈️ **Good news!** Your flight is _on time_ 😀👍🏽. Details: https://skyways.example/status?id=1 or [our page](https://x.example).\n- Gate B12\n# Done");
        Assert.DoesNotContain("http", spoken);
        Assert.DoesNotContain("*", spoken);
        Assert.DoesNotContain("_", spoken);
        Assert.DoesNotContain("#", spoken);
        Assert.DoesNotContain("[", spoken);
        Assert.DoesNotContain("😀", spoken);
        Assert.DoesNotContain("✈", spoken);
        Assert.All(spoken.EnumerateRunes(), r => Assert.True(r.Value < 0x2000, $"U+{r.Value:X4} in '{spoken}'"));
        Assert.Contains("Good news! Your flight is on time", spoken);
        Assert.Contains("our page", spoken);
        Assert.Contains("Gate B one two", spoken);
    }

    [Fact]
    public void Pii_tokens_are_spoken_by_what_they_show()
    {
        Assert.Equal("Charged to the card ending in one one one one.", VoiceRenderer.Speakable("Charged to {{card:1111:3f9a2c7d1e}}."));
        Assert.Equal("We sent the code.", VoiceRenderer.Speakable("We sent {{otp::3f9a2c7d1e}}."));
    }

    [Fact]
    public void Options_are_read_as_say_or_press_with_digits_that_pick_them()
    {
        var reply = new EngineReply("Where are you flying to?", ReplyStyle.List,
            [new ReplyOption("BOM", "Mumbai"), new ReplyOption("DEL", "Delhi"), new ReplyOption("intent:call_us", "Call us 📞")]);
        var spoken = _renderer.Render(reply);
        Assert.Equal("Where are you flying to? For Mumbai, say or press one. For Delhi, say or press two. For Call us, say or press three.", spoken.Speech);
        Assert.Equal(['1', '2', '3'], spoken.Options.Select(o => o.Digit));
        Assert.Equal("DEL", spoken.Options.Single(o => o.Digit == '2').Id);
    }

    [Fact]
    public void At_most_nine_options_are_read_out()
    {
        var reply = new EngineReply("Pick one", ReplyStyle.List, Enumerable.Range(1, 11).Select(i => new ReplyOption($"o{i}", $"Option {VoiceRenderer.Words(i)}")).ToList());
        var spoken = _renderer.Render(reply);
        Assert.Equal(VoiceRenderer.MaxSpokenOptions, spoken.Options.Count);
        Assert.Contains("say or press nine", spoken.Speech);
        Assert.DoesNotContain("Option ten", spoken.Speech);
    }

    [Fact]
    public void The_persona_wording_survives_rendering()
    {
        // Same words as every other channel: only formats change.
        var text = "I see we were verifying the 4:00 PM flight to Mumbai on your WhatsApp chat. Let's finish that here.";
        Assert.Equal("I see we were verifying the four p.m. flight to Mumbai on your WhatsApp chat. Let's finish that here.", _renderer.Render(new EngineReply(text)).Speech);
    }

    [Fact]
    public void The_action_is_passed_to_the_voice_channel()
    {
        var action = new ReplyAction(ReplyActionKind.HandToAgent, Summary: "Rebook: booking_ref=AB12CD");
        Assert.Same(action, _renderer.Render(new EngineReply("Passing you on.", Action: action)).Action);
    }
}
