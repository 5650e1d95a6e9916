namespace Switchboard.Dialog.Nlu;

/// <summary>One value found in an utterance: its slot type, normalised value, how to show it, and where it was (to avoid using text twice).</summary>
public sealed record EntityMatch(string Type, string Value, string Display, int Start, int Length)
{
    public int End => Start + Length;

    public bool Overlaps(EntityMatch other) => Start < other.End && other.Start < End;
}
