using System.Security.Cryptography;
using Switchboard.Grains.Pii;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// Finds the PII master key: <c>Pii:MasterKey</c> when set (production); otherwise a key file beside the embedded
/// store, created once, so a development silo keeps its customers across restarts. With Redis and no key, refuse to start.
/// </summary>
public static class MasterKeyLoader
{
    public static CustomerKeys Load(IConfiguration configuration, string storePath, bool usesRedis, Action<string> warn)
    {
        var options = configuration.GetSection(PiiOptions.Section).Get<PiiOptions>() ?? new PiiOptions();
        if (!string.IsNullOrWhiteSpace(options.MasterKey)) return CustomerKeys.FromOptions(options, out _);
        if (usesRedis)
            throw new InvalidOperationException("Pii:MasterKey must be set when ConnectionStrings:Redis is: every silo of a cluster needs the same key.");
        Directory.CreateDirectory(storePath);
        var file = Path.Combine(storePath, "pii-master.key");
        if (!File.Exists(file))
        {
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            warn($"Pii:MasterKey is not set; generated a development key in {file}. Set Pii:MasterKey in production.");
        }
        return CustomerKeys.FromOptions(new PiiOptions { MasterKey = File.ReadAllText(file).Trim() }, out _);
    }
}
