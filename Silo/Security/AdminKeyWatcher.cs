using Microsoft.Extensions.Hosting;
using Switchboard.Channels.Common;

namespace Switchboard.Silo.Security;

/// <summary>Follows configuration reloads into the <see cref="AdminKeyring"/> while the engine runs (see <see cref="AdminKeyring.Watch"/>).</summary>
public sealed class AdminKeyWatcher(AdminKeyring keyring, IConfiguration config, AdminOptions admin, ILoggerFactory loggers) : IHostedService
{
    private IDisposable? _watch;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = keyring.Watch(config, admin, loggers.CreateLogger<AdminKeyring>());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watch?.Dispose();
        return Task.CompletedTask;
    }
}
