using System.Diagnostics;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// Instruments a copy of the engine's assemblies once (SharpFuzz) for the afl++ campaigns below. The copy is the fuzz
/// app as this test project built it, so the campaign fuzzes the code under test in this build.
/// </summary>
public sealed class InstrumentedBuild : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("switchboard-afl-").FullName;

    public InstrumentedBuild()
    {
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
        var config = Path.Combine(Folder, "Switchboard.Fuzz.runtimeconfig.json");
        if (!File.Exists(config)) File.Copy(Path.Combine(Folder, "Fuzz.Tests.runtimeconfig.json"), config);
        Run("dotnet", Corpora.FuzzRoot, "tool", "restore");
        foreach (var assembly in (string[])["Telephony.dll", "Channels.dll", "Grains.dll", "Dialog.dll"])
            Run("dotnet", Corpora.FuzzRoot, "tool", "run", "sharpfuzz", Path.Combine(Folder, assembly));
    }

    public static (int Code, string Output) Run(string file, string workingDirectory, params string[] args) => Run(file, workingDirectory, null, args);

    public static (int Code, string Output) Run(string file, string workingDirectory, IDictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) p.Kill(true);
        p.WaitForExit();
        var output = stdout.Result + stderr.Result;
        if (p.ExitCode != 0 && file != "afl-fuzz") throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {output}");
        return (p.ExitCode, output);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}

/// <summary>
/// Each target under afl++ for a few seconds from its corpus: afl++ must run it (execs &gt; 0) and find no crash and no hang.
/// The seed is fixed, so a slower machine runs a prefix of the same campaign: a regression gate, not exploration (the
/// open-ended runs with random seeds are fuzz/scripts/run.sh, docs/security.md).
/// </summary>
public sealed class AflCampaignTests(InstrumentedBuild build) : IClassFixture<InstrumentedBuild>
{
    private const int Seconds = 8;

    [Theory]
    [MemberData(nameof(Corpora.Targets), MemberType = typeof(Corpora))]
    public void A_bounded_afl_campaign_finds_no_crash_and_no_hang(string target)
    {
        var findings = Directory.CreateTempSubdirectory("switchboard-afl-out-").FullName;
        try
        {
            var env = new Dictionary<string, string>
            {
                ["AFL_SKIP_BIN_CHECK"] = "1", ["AFL_NO_AFFINITY"] = "1", ["AFL_SKIP_CPUFREQ"] = "1", ["AFL_NO_UI"] = "1",
                ["AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"] = "1", ["AFL_FORKSRV_INIT_TMOUT"] = "60000",
            };
            var (_, output) = InstrumentedBuild.Run("afl-fuzz", build.Folder, env, "-V", Seconds.ToString(), "-s", "1", "-t", "5000", "-m", "none",
                "-i", Corpora.For(target), "-o", findings, "--", "dotnet", Path.Combine(build.Folder, "Switchboard.Fuzz.dll"), target);
            var statsFile = Path.Combine(findings, "default", "fuzzer_stats");
            Assert.True(File.Exists(statsFile), "afl-fuzz did not run: " + output[^Math.Min(2000, output.Length)..]);
            var stats = File.ReadAllLines(statsFile).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            Assert.True(long.Parse(stats["execs_done"]) > 0, "afl-fuzz ran no input");
            var crashes = Directory.EnumerateFiles(Path.Combine(findings, "default", "crashes")).Where(f => !f.EndsWith("README.txt", StringComparison.Ordinal)).ToList();
            var hangs = Directory.EnumerateFiles(Path.Combine(findings, "default", "hangs")).ToList();
            // Kept for whoever fixes them (fuzz/out is ignored by git).
            var kept = Path.Combine(Corpora.FuzzRoot, "out", "test-findings", target);
            foreach (var f in crashes.Concat(hangs))
            {
                Directory.CreateDirectory(kept);
                File.Copy(f, Path.Combine(kept, Path.GetFileName(Path.GetDirectoryName(f))! + "-" + Path.GetFileName(f).Replace(':', '_')), true);
            }
            Assert.True(crashes.Count == 0, $"{target}: crashes {string.Join(", ", crashes.Select(Path.GetFileName))}; kept in {kept}; replay: dotnet fuzz/Switchboard.Fuzz/bin/Debug/net10.0/Switchboard.Fuzz.dll {target} --replay {kept}");
            Assert.True(hangs.Count == 0, $"{target}: hangs {string.Join(", ", hangs.Select(Path.GetFileName))}");
        }
        finally
        {
            try { Directory.Delete(findings, true); } catch (IOException) { }
        }
    }
}
