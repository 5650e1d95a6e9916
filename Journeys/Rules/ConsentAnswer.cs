namespace Switchboard.Journeys.Rules;

/// <summary>The consent registry's answer for one (channel, purpose), taken as an input: the engine never decides consent itself.</summary>
public sealed record ConsentAnswer(bool Allowed, string Reason);
