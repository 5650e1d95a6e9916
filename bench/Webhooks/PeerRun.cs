namespace Switchboard.Bench.Webhooks;

/// <summary>One peer's measured phase.</summary>
public sealed record PeerRun(
    string Key,
    string Label,
    int Acked,
    int Errors,
    int Lost,
    int Duplicated,
    bool Complete,
    double Seconds,
    Percentiles Ack,
    Percentiles Reply,
    ProcessCost Cost)
{
    public double Rate => Acked / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// What the whole bench process spent per acknowledged webhook during a measured phase: CPU (all threads: load driver,
/// Graph stand-in and the peer share the process), bytes allocated, and collections and pause time. The do-nothing
/// peer's cost is the driver's and stand-in's floor; a peer's cost minus it is roughly the peer's own.
/// </summary>
public sealed record ProcessCost(double CpuMicrosPerWebhook, double KernelShare, double AllocatedBytesPerWebhook, int Gen0, int Gen1, int Gen2, double PauseMs)
{
    public sealed class Probe
    {
        private readonly TimeSpan _cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        private readonly TimeSpan _kernel = System.Diagnostics.Process.GetCurrentProcess().PrivilegedProcessorTime;
        private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: false);
        private readonly int _gen0 = GC.CollectionCount(0), _gen1 = GC.CollectionCount(1), _gen2 = GC.CollectionCount(2);
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();

        public ProcessCost Stop(int webhooks)
        {
            var n = Math.Max(webhooks, 1);
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime - _cpu;
            var kernel = process.PrivilegedProcessorTime - _kernel;
            return new ProcessCost(cpu.TotalMicroseconds / n, kernel.Ticks / (double)Math.Max(cpu.Ticks, 1), (GC.GetTotalAllocatedBytes(precise: false) - _allocated) / (double)n,
                GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2,
                (GC.GetTotalPauseDuration() - _pause).TotalMilliseconds);
        }
    }
}
