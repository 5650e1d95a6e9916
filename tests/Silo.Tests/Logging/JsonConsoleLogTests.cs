using System.Diagnostics;
using System.Text.Json;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Logging;

/// <summary>The engine as its own process, its console read as an operator's log shipper would.</summary>
public sealed class JsonConsoleLogTests
{
    [Fact]
    public async Task With_the_json_formatter_every_console_line_is_a_json_object_with_level_and_category()
    {
        using var store = new TempDirectory();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = store.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Switchboard.Silo.dll"));
        foreach (var setting in new[]
        {
            "--urls=http://127.0.0.1:0", "--Admin:ApiKey=" + SiloApp.AdminKey, "--Storage:Path=" + store.Path,
            "--Orleans:SiloPort=" + FreePort.Tcp(), "--Orleans:GatewayPort=" + FreePort.Tcp(), "--Dashboard:Enabled=false", "--Sip:Port=0",
            "--Pii:MasterKey=" + Convert.ToBase64String(new byte[32]), "--Logging:Console:FormatterName=json",
        })
            start.ArgumentList.Add(setting);
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var lines = new List<string>();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            // Read until the host says it listens: by then the silo, the channels and the journal have logged.
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length > 0) lines.Add(line);
                if (line.Contains("Now listening on")) break;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Contains(lines, l => l.Contains("Now listening on"));
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            Assert.False(string.IsNullOrEmpty(entry.RootElement.GetProperty("LogLevel").GetString()), line);
            Assert.False(string.IsNullOrEmpty(entry.RootElement.GetProperty("Category").GetString()), line);
        }
    }
}
