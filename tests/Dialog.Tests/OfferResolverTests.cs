using Switchboard.Dialog.Nlu;

namespace Switchboard.Dialog.Tests;

public sealed class OfferResolverTests
{
    private static readonly string[] Flights = ["9:30 AM", "4:00 PM", "9:15 PM"];
    private static readonly string[] Workshop = ["9:00 AM", "11:30 AM", "3:00 PM"];

    [Theory]
    [InlineData("the morning one please", 0)]
    [InlineData("the second one", 1)]
    [InlineData("last one", 2)]
    [InlineData("9.15 pm", 2)]
    [InlineData("no, the 9:15 one", 2)]
    [InlineData("half past nine", 0)]
    [InlineData("the 4 o'clock", 1)]
    [InlineData("4pm", 1)]
    [InlineData("four o'clock", 1)]
    [InlineData("9.15 p. m.", 2)]
    [InlineData("9:30 a m", 0)]
    [InlineData("4", 1)]
    [InlineData("evening", 2)]
    public void An_answer_resolves_to_the_one_offered_flight_it_names(string answer, int index) =>
        Assert.Equal((OfferOutcome.Chosen, index), OfferResolver.Resolve(Flights, answer, pending: true));

    [Theory]
    [InlineData("11.30", 1)]
    [InlineData("half past 11", 1)]
    [InlineData("afternoon works", 2)]
    [InlineData("the first one", 0)]
    public void Indian_english_times_and_parts_of_day_resolve_against_the_workshop_offer(string answer, int index) =>
        Assert.Equal((OfferOutcome.Chosen, index), OfferResolver.Resolve(Workshop, answer, pending: true));

    [Theory]
    [InlineData("1 pm")]
    [InlineData("7 am")]
    [InlineData("9")]
    [InlineData("3")]
    [InlineData("the fifth one")]
    [InlineData("afternoon or evening, whichever")]
    public void An_answer_outside_the_offer_or_fitting_two_options_is_unclear_never_a_guess(string answer) =>
        Assert.Equal(OfferOutcome.Unclear, OfferResolver.Resolve(Flights, answer, pending: true).Outcome);

    [Fact]
    public void Two_morning_slots_make_the_morning_unclear() =>
        Assert.Equal(OfferOutcome.Unclear, OfferResolver.Resolve(Workshop, "morning", pending: true).Outcome);

    [Theory]
    [InlineData("book a general service for MH 12 AB 1234 at Thane on 25 Dec")]
    [InlineData("my first flight was late and I missed the connection")]
    [InlineData("rebook AB12CD to Delhi")]
    public void Numbers_in_plates_dates_and_stories_are_not_choices(string text) =>
        Assert.Equal(OfferOutcome.None, OfferResolver.Resolve(Flights, text, pending: false).Outcome);

    [Fact]
    public void A_time_said_with_the_rest_of_a_request_counts_only_when_it_is_offered()
    {
        Assert.Equal((OfferOutcome.Chosen, 2), OfferResolver.Resolve(Flights, "rebook AB12CD to Delhi tomorrow at 9:15 pm", pending: false));
        Assert.Equal(OfferOutcome.None, OfferResolver.Resolve(Flights, "rebook AB12CD to Delhi tomorrow at 1 pm", pending: false).Outcome);
    }
}
