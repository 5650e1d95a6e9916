using Switchboard.Dialog.Definition;
using Switchboard.Dialog.Nlu;

namespace Switchboard.Dialog.Tests;

public sealed class NluTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero); // a Tuesday, 14:30 in Kolkata

    private static EntityMatch? First(string text, string type) =>
        EngineHarness.Airline.Extractor.Extract(text, Now).FirstOrDefault(m => m.Type == type);

    [Theory]
    [InlineData("tomorrow", "2026-11-25", "Wednesday 25 November")]
    [InlineData("today", "2026-11-24", "Tuesday 24 November")]
    [InlineData("day after tomorrow", "2026-11-26", "Thursday 26 November")]
    [InlineData("on 25 Dec", "2026-12-25", "Friday 25 December")]
    [InlineData("Dec 25th", "2026-12-25", "Friday 25 December")]
    [InlineData("3rd of January", "2027-01-03", "Sunday 3 January")]
    [InlineData("next friday", "2026-11-27", "Friday 27 November")]
    [InlineData("next tuesday", "2026-12-01", "Tuesday 1 December")]
    [InlineData("2026-12-31", "2026-12-31", "Thursday 31 December")]
    [InlineData("31/12", "2026-12-31", "Thursday 31 December")]
    public void Dates(string text, string value, string display)
    {
        var m = First(text, BuiltinSlotTypes.Date);
        Assert.NotNull(m);
        Assert.Equal(value, m.Value);
        Assert.Equal(display, m.Display);
    }

    [Theory]
    [InlineData("4 pm", "16:00", "4:00 PM")]
    [InlineData("the 4pm one", "16:00", "4:00 PM")]
    [InlineData("16:00", "16:00", "4:00 PM")]
    [InlineData("9:30 a.m.", "09:30", "9:30 AM")]
    [InlineData("12 am", "00:00", "12:00 AM")]
    [InlineData("noon", "12:00", "12:00 PM")]
    [InlineData("at 4", "16:00", "4:00 PM")]
    [InlineData("at 9 o'clock", "09:00", "9:00 AM")]
    public void Times(string text, string value, string display)
    {
        var m = First(text, BuiltinSlotTypes.Time);
        Assert.NotNull(m);
        Assert.Equal(value, m.Value);
        Assert.Equal(display, m.Display);
    }

    [Theory]
    [InlineData("my booking is ab12cd", BuiltinSlotTypes.BookingReference, "AB12CD")]
    [InlineData("I'm flying to bombay", "city", "BOM")]
    [InlineData("New Delhi please", "city", "DEL")]
    [InlineData("flight sw 123", "flight_number", "SW123")]
    [InlineData("we are 3 people", BuiltinSlotTypes.Number, "3")]
    [InlineData("two bags", BuiltinSlotTypes.Number, "2")]
    [InlineData("yes please", BuiltinSlotTypes.YesNo, "yes")]
    [InlineData("nope, wrong day", BuiltinSlotTypes.YesNo, "no")]
    [InlineData("call me on +91 98200 12345", BuiltinSlotTypes.Phone, "+919820012345")]
    public void Values_of_each_type(string text, string type, string value) =>
        Assert.Equal(value, First(text, type)?.Value);

    [Theory]
    [InlineData("flight at 4 pm on 25 Dec")]
    [InlineData("booking AB12CD")]
    [InlineData("card {{card:1111:3f9a2c7d1e}}")]
    public void Dates_times_references_and_tokens_are_not_numbers(string text) =>
        Assert.Null(First(text, BuiltinSlotTypes.Number));

    [Fact]
    public void Enumerations_are_found_with_their_synonyms()
    {
        var found = EngineHarness.Autoservice.Extractor.Extract("brake pads at andheri west please", Now);
        Assert.Contains(found, m => m.Type == "service_type" && m.Value == "brakes");
        Assert.Contains(found, m => m.Type == "workshop" && m.Value == "andheri");
    }

    [Theory]
    [InlineData("is my flight to Delhi delayed?", "flight_status")]
    [InlineData("my connection left and I need another flight", "rebook")]
    [InlineData("can I ring you instead", "call_us")]
    [InlineData("I want to speak to a human", "agent")]
    [InlineData("good morning", "greet")]
    public void The_classifier_knows_the_airline_intents(string text, string intent)
    {
        var p = EngineHarness.Airline.Classifier.Predict(text);
        Assert.Equal(intent, p.Intent);
        Assert.True(p.Confidence >= EngineHarness.Airline.Definition.Settings.ConfidenceThreshold, $"{p.Confidence}");
    }

    [Theory]
    [InlineData("plz tell me if my flight is delayed", "flight_status")]
    [InlineData("kindly rebook me on some other flight", "rebook")]
    [InlineData("my earlier flight got delayed so I missed the connecting one", "rebook")]
    [InlineData("thank u very much", "thanks")]
    [InlineData("connect me to customer care please", "agent")]
    [InlineData("what all can you help with", "help")]
    public void Indian_English_and_typed_shorthand_reach_the_airline_intents(string text, string intent)
    {
        var p = EngineHarness.Airline.Classifier.Predict(text);
        Assert.Equal(intent, p.Intent);
        Assert.True(p.Confidence >= EngineHarness.Airline.Definition.Settings.ConfidenceThreshold, $"{p.Confidence}");
    }

    [Theory]
    [InlineData("what's the weather in Paris")]
    [InlineData("quiero cambiar mi vuelo")]
    [InlineData("😀😀😀")]
    [InlineData("")]
    public void Utterances_with_nothing_known_get_no_intent(string text) =>
        Assert.Null(EngineHarness.Airline.Classifier.Predict(text).Intent);

    [Fact]
    public void Prediction_is_safe_from_many_threads()
    {
        // PredictionEngine is not thread-safe: each thread must get its own.
        var texts = new[] { ("is my flight on time", "flight_status"), ("I missed my connection", "rebook"), ("talk to a person", "agent") };
        Parallel.For(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (text, intent) = texts[i % texts.Length];
            Assert.Equal(intent, EngineHarness.Airline.Classifier.Predict(text).Intent);
        });
    }
}
