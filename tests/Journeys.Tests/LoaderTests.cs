using Switchboard.Journeys.Loading;
using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Tests;

public class LoaderTests
{
    [Fact]
    public void The_autoservice_journey_ships_and_validates()
    {
        var catalog = Shipped.Autoservice;
        var journey = catalog.Journeys["service-reminder"];
        Assert.Equal("marketing", journey.Purpose);
        Assert.Equal(["whatsapp", "rcs", "sms"], catalog.Rules.ChannelOrder.Select(c => c.ToWire()));
        Assert.Contains(journey.Steps, s => s is CallStep { Flow: "book_service" });
        Assert.Equal("Asia/Kolkata", catalog.Rules.DefaultTimeZone);
        Assert.Contains(catalog.Rules.Caps, c => c is { Purpose: "marketing", Max: 2 } && c.Window == TimeSpan.FromHours(24));
        Assert.True(catalog.Rules.OpenHours.ContainsKey(JourneyChannel.Voice));
    }

    [Fact]
    public void A_backward_branch_is_refused_with_file_and_line()
    {
        const string yaml = """
            journey: loop
            steps:
              - id: first
                send: { channel: sms, message: hi }
              - id: again
                branch: { if: replied, else: first }
            """;
        var e = Assert.Throws<JourneyLoadException>(() => JourneyLoader.Parse(new StringReader(yaml), "loop.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("loop.yaml", 6), (error.File, error.Line));
        Assert.Contains("not after the branch", error.Reason);
    }

    [Theory]
    [InlineData("journey: j\nsteps:\n  - send: { channel: fax, message: hi }\n", 3, "channel 'fax'")]
    [InlineData("journey: j\nsteps:\n  - wait: { for: soon }\n", 3, "not a duration")]
    [InlineData("journey: j\nsteps:\n  - send: { channel: sms }\n", 3, "a 'template' or a 'message'")]
    [InlineData("journey: j\nsteps:\n  - send: { channel: sms, message: hi }\n    colour: red\n", 4, "unknown key 'colour'")]
    [InlineData("journey: j\nsteps:\n  - branch: { if: replied, then: nowhere }\n", 3, "'nowhere' is not a step")]
    [InlineData("journey: j\nsteps:\n  - send: { channel: sms, template: t }\n", 3, "a template is a WhatsApp message")]
    [InlineData("journey: j\nsteps: [\n", 3, "")]
    public void A_bad_journey_file_names_the_line_and_the_reason(string yaml, int line, string reason)
    {
        var e = Assert.Throws<JourneyLoadException>(() => JourneyLoader.Parse(new StringReader(yaml), "bad.yaml"));
        Assert.Contains(e.Errors, x => x.Line == line && x.Reason.Contains(reason));
        Assert.Contains($"bad.yaml:{line}:", e.Message);
    }

    [Fact]
    public void A_bad_rules_file_stops_the_catalog_with_every_error()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "rules.yaml"), "timeZone: Mars/Olympus\nquietHours: { from: \"25:00\", to: \"09:00\" }\n");
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), "journey: a\nsteps:\n  - exit: {}\n");
        var e = Assert.Throws<JourneyLoadException>(() => JourneyCatalog.LoadDirectory(dir.Path));
        Assert.Contains(e.Errors, x => x.Line == 1 && x.Reason.Contains("unknown time zone"));
        Assert.Contains(e.Errors, x => x.Line == 2 && x.Reason.Contains("not a time of day"));
    }

    [Fact]
    public void Two_files_with_one_journey_id_are_refused()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), "journey: same\nsteps:\n  - exit: {}\n");
        File.WriteAllText(Path.Combine(dir.Path, "b.yaml"), "journey: same\nsteps:\n  - exit: {}\n");
        var e = Assert.Throws<JourneyLoadException>(() => JourneyCatalog.LoadDirectory(dir.Path));
        Assert.Contains("also defined in", Assert.Single(e.Errors).Reason);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("journeys-").FullName;
        public void Dispose() => Directory.Delete(Path, true);
    }
}
