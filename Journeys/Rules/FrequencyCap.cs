namespace Switchboard.Journeys.Rules;

/// <summary>One contact a customer received (any channel, any journey), the unit frequency caps count.</summary>
public sealed record Touch(DateTimeOffset At, Model.JourneyChannel Channel, string Purpose, string Journey);

/// <summary>
/// At most <see cref="Max"/> touches of <see cref="Purpose"/> ("*": any purpose) per customer in any rolling
/// <see cref="Window"/>, counted over all channels and all journeys together.
/// </summary>
public sealed record FrequencyCap(string Purpose, int Max, TimeSpan Window)
{
    public bool Applies(string purpose) => Purpose == "*" || string.Equals(Purpose, purpose, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when one more touch at <paramref name="at"/> stays within the cap; else the first instant it would.</summary>
    public DateTimeOffset? NextRoom(IReadOnlyList<Touch> touches, string purpose, DateTimeOffset at)
    {
        if (!Applies(purpose)) return null;
        var from = at - Window;
        var inWindow = new List<DateTimeOffset>();
        foreach (var t in touches)
            if (t.At > from && t.At <= at && Applies(t.Purpose)) inWindow.Add(t.At);
        if (inWindow.Count < Max) return null;
        inWindow.Sort();
        // The window must lose (count - Max + 1) touches: the oldest of those leaving last decides.
        return inWindow[inWindow.Count - Max] + Window + TimeSpan.FromTicks(1);
    }
}
