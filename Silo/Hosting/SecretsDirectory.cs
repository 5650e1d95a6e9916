using Microsoft.Extensions.FileProviders;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// <c>Secrets:Directory</c>: a directory with one file per setting, the file named after the key with <c>__</c> for
/// <c>:</c> (<c>Admin__Keys__ops__Key</c>), as a Kubernetes Secret mounted as a volume lays it out. Its settings win
/// over every other source. The files are polled (every few seconds) rather than watched, because a mounted Secret is
/// updated by swapping a symlink, which file watches miss; what reads its settings live (the admin keys) follows a change
/// without a restart. Built on the key-per-file configuration provider of the ASP.NET Core shared framework (no package to add).
/// </summary>
public static class SecretsDirectory
{
    public const string Key = "Secrets:Directory";

    public static void AddSecretsDirectory(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[Key] is not { Length: > 0 } directory) return;
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full)) throw new InvalidOperationException($"{Key}: '{full}' is not a directory.");
        builder.Configuration.AddKeyPerFile(source =>
        {
            source.FileProvider = new PhysicalFileProvider(full) { UsePollingFileWatcher = true, UseActivePolling = true };
            source.Optional = false;
            source.ReloadOnChange = true;
        });
    }
}
