using System.Text;

namespace Switchboard.Silo.Admin;

/// <summary>
/// One audience row per physical line (RFC 4180 quoting within the line; a quoted line break is a bad row), so a bad
/// row's reported line is exactly the file's line. Hand-written: the served CSV readers count records, not lines.
/// </summary>
public static class CsvLine
{
    /// <summary>The fields of <paramref name="line"/>, or null with the reason when its quoting is broken.</summary>
    public static List<string>? Split(string line, out string? error)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var atStart = true;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') { field.Append(c); continue; }
                if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; continue; }
                quoted = false;
                if (i + 1 < line.Length && line[i + 1] != ',') { error = $"text after a closing quote at column {i + 2}"; return null; }
                continue;
            }
            if (c == ',') { fields.Add(field.ToString().Trim()); field.Clear(); atStart = true; continue; }
            if (c == '"' && atStart && field.ToString().Trim().Length == 0) { field.Clear(); quoted = true; atStart = false; continue; }
            field.Append(c);
            atStart = false;
        }
        if (quoted) { error = "a quote is not closed on this line"; return null; }
        fields.Add(field.ToString().Trim());
        error = null;
        return fields;
    }
}
