using System.Globalization;

namespace Switchboard.Bench.Fuzz;

/// <summary>
/// Datagrams the kernel dropped at a process's UDP sockets because their receive buffer was full: the <c>drops</c> column
/// of <c>/proc/{pid}/net/udp</c> and <c>udp6</c>, summed over the sockets bound to the given local ports. A UDP campaign
/// sends as fast as loopback takes it, so "tried" counts what was sent; tried minus these is what the engine read.
/// Null where /proc is not there (not Linux).
/// </summary>
public static class KernelUdpDrops
{
    public static long? At(int pid, params int[] ports)
    {
        long total = 0;
        var found = false;
        foreach (var table in new[] { "udp", "udp6" })
        {
            var path = $"/proc/{pid}/net/{table}";
            if (!File.Exists(path)) continue;
            found = true;
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 13) continue;
                var local = fields[1];
                var port = int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (ports.Contains(port)) total += long.Parse(fields[^1], CultureInfo.InvariantCulture);
            }
        }
        return found ? total : null;
    }
}
