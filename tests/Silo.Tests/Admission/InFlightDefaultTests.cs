using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Silo.Admission;

namespace Switchboard.Silo.Tests.Admission;

/// <summary>
/// The in-flight turn limit's default depends on where the turns run: 2 per core in a process that hosts the grains
/// (its turns are its own CPU and journal, so more in flight only lengthens each), 8 per core on a gateway (its turns
/// wait on the silos). A configured limit wins in every role.
/// </summary>
public sealed class InFlightDefaultTests
{
    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 8)]
    public void Unset_the_limit_is_per_core_by_role(bool turnsRunHere, int perCore)
    {
        using var app = Build(turnsRunHere, configured: null);
        Assert.Equal(perCore * Environment.ProcessorCount, Permits(app));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_configured_limit_wins(bool turnsRunHere)
    {
        using var app = Build(turnsRunHere, configured: "5");
        Assert.Equal(5, Permits(app));
    }

    private static int Permits(WebApplication app) =>
        (int)app.Services.GetRequiredService<TurnAdmission>().EdgeTurns.GetStatistics()!.CurrentAvailablePermits;

    private static WebApplication Build(bool turnsRunHere, string? configured)
    {
        var builder = WebApplication.CreateBuilder();
        if (configured is not null)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Admission:Edge:MaxInFlightTurns"] = configured });
        builder.AddAdmission(turnsRunHere);
        return builder.Build();
    }
}
