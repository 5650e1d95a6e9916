namespace Switchboard.Dialog.Loading;

/// <summary>A bot file that cannot be loaded: names the file, the 1-based line and column, and the reason.</summary>
public sealed class BotDefinitionException(string file, int line, int column, string reason, Exception? inner = null)
    : Exception($"{file}:{line}:{column}: {reason}", inner)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}
