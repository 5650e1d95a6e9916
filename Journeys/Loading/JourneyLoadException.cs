namespace Switchboard.Journeys.Loading;

/// <summary>A problem in a journey file, at a line.</summary>
public sealed record JourneyError(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>Journey files that failed validation: the start stops with every error as <c>file:line: reason</c>.</summary>
public sealed class JourneyLoadException(IReadOnlyList<JourneyError> errors)
    : Exception("invalid journey files:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<JourneyError> Errors { get; } = errors;
}
