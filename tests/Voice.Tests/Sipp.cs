using System.Diagnostics;

namespace Switchboard.Voice.Tests;

/// <summary>The outcome of one sipp run: exit code 0 means every call passed the scenario.</summary>
public sealed record SippResult(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"sipp exit {ExitCode}\n--- stdout ---\n{Output}\n--- errors ---\n{Errors}";
}

/// <summary>
/// Runs the real sipp (Debian sip-tester) from a scratch directory with -nostdin and bounded timeouts, waiting on the
/// process exit. Scenario files come from the test output's sipp/ folder; <c>CALLER</c> in them is replaced.
/// </summary>
public static class Sipp
{
    private static int _nextMediaPort = 30_000 + Random.Shared.Next(0, 100) * 100;

    public static async Task<SippResult> RunAsync(string scenario, int serverPort, string caller = "sipp", int calls = 1, int rate = 1,
        string extraArgs = "", TimeSpan? timeout = null, string service = "1000")
    {
        var dir = Directory.CreateTempSubdirectory("sipp-");
        try
        {
            var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "sipp", scenario));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, scenario), text.Replace("CALLER", caller, StringComparison.Ordinal));
            var localPort = Switchboard.TestSupport.FreePort.Udp();
            var mediaPort = Interlocked.Add(ref _nextMediaPort, 400);
            var args = $"127.0.0.1:{serverPort} -sf {scenario} -s {service} -i 127.0.0.1 -p {localPort} -mp {mediaPort} -m {calls} -l {calls} -r {rate} "
                + $"-recv_timeout 10000 -timeout 40s -timeout_error -trace_err -nostdin {extraArgs}";
            return await RunRawAsync(dir.FullName, args, timeout ?? TimeSpan.FromSeconds(60));
        }
        finally
        {
            try { dir.Delete(true); } catch (IOException) { }
        }
    }

    public static async Task<SippResult> RunRawAsync(string workingDirectory, string args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("sipp", args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var errors = string.Join("\n", Directory.GetFiles(workingDirectory, "*_errors.log").Select(File.ReadAllText));
        var output = await stdout;
        return new SippResult(process.ExitCode, output.Length > 4000 ? output[^4000..] : output, (await stderr) + errors);
    }
}
