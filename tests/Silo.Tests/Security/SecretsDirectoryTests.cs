using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Silo.Hosting;
using Switchboard.Silo.Security;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Security;

/// <summary>
/// <c>Secrets:Directory</c> on the real engine: settings come from one file per key, laid out as a mounted Kubernetes
/// Secret is, and a key rotated in a file is taken in without a restart.
/// </summary>
public sealed class SecretsDirectoryTests
{
    private const string First = "directory-key-00000001", Second = "directory-key-00000002";

    private static async Task<HttpStatusCode> Outbox(SiloApp app, string key)
    {
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.GetAsync("/api/outbox");
        return response.StatusCode;
    }

    [Fact]
    public async Task Keys_are_read_from_one_file_each_and_a_rotated_file_is_taken_in_while_running()
    {
        using var secrets = new TempDirectory();
        File.WriteAllText(Path.Combine(secrets.Path, "Admin__Keys__ops__Key"), First);
        File.WriteAllText(Path.Combine(secrets.Path, "Admin__Keys__ops__Scopes__0"), "read");
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string?> { [SecretsDirectory.Key] = secrets.Path });
        Assert.Equal(HttpStatusCode.OK, await Outbox(app, First));

        var temp = Path.Combine(secrets.Path, "ignore.next");
        File.WriteAllText(temp, Second);
        File.Move(temp, Path.Combine(secrets.Path, "Admin__Keys__ops__Key"), overwrite: true);
        var ring = app.App.Services.GetRequiredService<AdminKeyring>();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(ring.Reloads >= 1), TimeSpan.FromSeconds(60)));
        Assert.Equal(HttpStatusCode.OK, await Outbox(app, Second));
        Assert.Equal(HttpStatusCode.Unauthorized, await Outbox(app, First));
    }

    [Fact]
    public async Task A_missing_directory_stops_the_engine_with_its_name()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-secrets-" + Guid.NewGuid().ToString("n"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloApp.StartAsync(new Dictionary<string, string?> { [SecretsDirectory.Key] = missing }));
        Assert.Contains(SecretsDirectory.Key, error.Message);
        Assert.Contains(missing, error.Message);
    }
}
