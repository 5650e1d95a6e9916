using System.Security.Cryptography;
using Switchboard.Grains.Pii;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// Finds the PII master key: <c>Pii:MasterKey</c> when set (production); otherwise a key file beside the embedded
/// store, created once with mode 0600, so a development silo keeps its customers across restarts. With Redis and no
/// key, or in <c>Production</c> without <c>Storage:AllowGeneratedKey=true</c>, refuse to start. Rotation adds named keys
/// (<c>Pii:MasterKeys:{id}</c>, <c>Pii:ActiveMasterKey</c>) beside it: see docs/security.md.
/// </summary>
public static class MasterKeyLoader
{
    public const string FileName = "pii-master.key";
    public const string HowToMakeAKey = "Make one with `openssl rand -base64 32` and set it as Pii:MasterKey (environment variable Pii__MasterKey, from a secret store)";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static CustomerKeys Load(IConfiguration configuration, string storePath, bool usesRedis, bool isProduction, Action<string> warn)
    {
        var options = configuration.GetSection(PiiOptions.Section).Get<PiiOptions>() ?? new PiiOptions();
        if (!string.IsNullOrWhiteSpace(options.MasterKey)) return CustomerKeys.FromOptions(options, out _);
        if (usesRedis)
            throw new InvalidOperationException($"Pii:MasterKey must be set when ConnectionStrings:Redis is: every silo of a cluster needs the same key. {HowToMakeAKey}.");
        var file = Path.Combine(storePath, FileName);
        if (isProduction && !configuration.GetValue("Storage:AllowGeneratedKey", false))
            throw new InvalidOperationException(
                $"Pii:MasterKey is not set, and in Production the engine does not generate its own. {HowToMakeAKey}; " +
                $"or set Storage:AllowGeneratedKey=true to keep a generated key in {file} on purpose.");
        Directory.CreateDirectory(storePath);
        if (!File.Exists(file))
        {
            Create(file);
            warn($"Pii:MasterKey is not set; generated a key in {file} (mode 0600). {HowToMakeAKey} in production.");
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(file, OwnerOnly);
            warn($"{file} was readable by others; set it to mode 0600.");
        }
        // The generated key stands in for Pii:MasterKey only; a rotation's named keys still come from configuration.
        options.MasterKey = File.ReadAllText(file).Trim();
        return CustomerKeys.FromOptions(options, out _);
    }

    /// <summary>Created owner-only from the first byte: there is no moment in which another user could open it.</summary>
    private static void Create(string file)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using var stream = new FileStream(file, options);
        using var writer = new StreamWriter(stream);
        writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }
}
