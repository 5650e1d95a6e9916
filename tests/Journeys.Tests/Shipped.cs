using Switchboard.Journeys.Loading;
using Switchboard.Journeys.Rules;
using Switchboard.Journeys.Simulation;
using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Tests;

/// <summary>The journeys and customers the tests share.</summary>
internal static class Shipped
{
    public static string JourneysOf(string bot) => Path.Combine(AppContext.BaseDirectory, "bots", bot, "journeys");

    public static JourneyCatalog Autoservice => JourneyCatalog.LoadDirectory(JourneysOf("autoservice"));

    /// <summary>An Indian customer (Asia/Kolkata from the number) with consent granted on every channel for marketing.</summary>
    public static SimCustomer Customer(bool rcs = true, string number = "+919800000001")
    {
        var c = new SimCustomer("c-1", CustomerZones.Resolve(null, number, "UTC"), rcs);
        foreach (var ch in JourneyChannels.All) c.SetConsent(ch, "marketing", true);
        return c;
    }

    /// <summary>A Monday, 11:00 in India (05:30 UTC), outside every restricted period.</summary>
    public static readonly DateTimeOffset MondayMorningIndia = new(2026, 12, 7, 5, 30, 0, TimeSpan.Zero);
}
