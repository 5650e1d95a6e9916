using Switchboard.Journeys.Model;
using Switchboard.Journeys.Rules;

namespace Switchboard.Journeys.Loading;

/// <summary>
/// A tenant's journeys, loaded from <c>bots/&lt;bot&gt;/journeys/</c>: <c>rules.yaml</c> (optional: defaults otherwise) and
/// one file per journey. Every file is validated; any error stops the load with all of them as file:line: reason.
/// </summary>
public sealed record JourneyCatalog(TenantJourneyRules Rules, IReadOnlyDictionary<string, JourneyDefinition> Journeys)
{
    public const string RulesFile = "rules.yaml";

    public static JourneyCatalog Empty { get; } = new(TenantJourneyRules.Default, new Dictionary<string, JourneyDefinition>());

    public static JourneyCatalog LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory)) return Empty;
        var errors = new List<JourneyError>();
        var rules = TenantJourneyRules.Default;
        var rulesPath = Path.Combine(directory, RulesFile);
        if (File.Exists(rulesPath))
            using (var r = File.OpenText(rulesPath)) rules = RulesLoader.Parse(r, rulesPath, errors);
        var journeys = new Dictionary<string, JourneyDefinition>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path) == RulesFile) continue;
            using var reader = File.OpenText(path);
            var before = errors.Count;
            var journey = JourneyLoader.Parse(reader, path, errors);
            if (journey is null || errors.Count > before) continue;
            if (journeys.TryGetValue(journey.Id, out var other))
                errors.Add(new(path, 1, $"journey id '{journey.Id}' is also defined in {other.SourceFile}"));
            else journeys[journey.Id] = journey;
        }
        if (errors.Count > 0) throw new JourneyLoadException(errors);
        return new JourneyCatalog(rules, journeys);
    }
}
