namespace Switchboard.Journeys.Model;

/// <summary>
/// One journey as its YAML file defines it: an ordered list of steps that only ever jump forward (so no step can run
/// twice), the purpose every send is made under (consent and caps are per purpose), the goal that ends it early and
/// whether an opt-out ends it.
/// </summary>
public sealed record JourneyDefinition(
    string Id,
    string Name,
    string Purpose,
    IReadOnlyList<JourneyStep> Steps,
    JourneyGoal? Goal,
    bool ExitOnOptOut,
    string SourceFile,
    double Weight = 1)
{
    public int IndexOf(string stepId)
    {
        for (var i = 0; i < Steps.Count; i++) if (Steps[i].Id == stepId) return i;
        return -1;
    }
}

/// <summary>The event that ends a journey early: an intent the customer expressed, or an attribute reaching a value (a booking made).</summary>
public sealed record JourneyGoal(string? Intent, string? Attribute, string? EqualsValue)
{
    public bool IsReachedBy(CustomerEvent e) => Intent is not null && e.Kind == CustomerEventKind.Intent && e.Name == Intent
        || e.Kind == CustomerEventKind.Goal;
}
