using Switchboard.Channels.Common;

namespace Switchboard.Silo.Hosting;

/// <summary>
/// A gateway's Orleans client reports each silo connection it opens and closes; a close (fewer connected silos than before,
/// or none) is signalled to the turn calls waiting on it (<see cref="SiloConnectionLoss"/>), which send their turns again
/// instead of waiting out the response timeout for an answer that cannot come.
/// </summary>
public sealed class SiloConnectionObserver(SiloConnectionLoss loss, ILogger<SiloConnectionObserver> logger) : IClusterConnectionStatusObserver
{
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways >= previousNumberOfGateways) return;
        logger.LogWarning("A silo connection closed ({Current} of {Previous} silos still connected); turns waiting on it are sent again",
            currentNumberOfGateways, previousNumberOfGateways);
        loss.Signal();
    }

    public void NotifyClusterConnectionLost() => loss.Signal();
}
