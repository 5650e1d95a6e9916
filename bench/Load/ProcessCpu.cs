namespace Switchboard.Bench.Load;

/// <summary>
/// CPU time of a process from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, fields 14 and 15, in clock ticks of 1/100 s on
/// Linux), so a run can say which of the processes sharing the machine used the cores.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100.0;

    /// <summary>CPU seconds used so far, or null when the process is gone.</summary>
    public static double? Seconds(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    }
}
