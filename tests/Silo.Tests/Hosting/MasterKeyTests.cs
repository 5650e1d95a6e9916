using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Switchboard.Silo.Hosting;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Hosting;

// File modes are a Unix notion; the engine runs on Linux.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MasterKeyTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly Dictionary<string, string?> NoMasterKey = new() { ["Pii:MasterKey"] = null };

    private static IConfiguration Config(Dictionary<string, string?>? values = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(values ?? []).Build();

    [Fact]
    public void A_generated_key_file_is_readable_and_writable_by_its_owner_only()
    {
        using var store = new TempDirectory();
        MasterKeyLoader.Load(Config(), store.Path, usesRedis: false, isProduction: false, _ => { });
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(store.Path, MasterKeyLoader.FileName)));
    }

    [Fact]
    public void A_key_file_others_can_read_is_set_back_to_owner_only_with_a_warning()
    {
        using var store = new TempDirectory();
        var file = Path.Combine(store.Path, MasterKeyLoader.FileName);
        File.WriteAllText(file, Convert.ToBase64String(new byte[32]));
        File.SetUnixFileMode(file, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var warnings = new List<string>();
        MasterKeyLoader.Load(Config(), store.Path, usesRedis: false, isProduction: false, warnings.Add);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
        Assert.Contains(warnings, w => w.Contains("0600"));
    }

    [Fact]
    public async Task In_production_the_engine_refuses_to_start_without_a_master_key_and_says_how_to_make_one()
    {
        using var store = new TempDirectory();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SiloApp.StartAsync(NoMasterKey, store.Path, b => b.Environment.EnvironmentName = Environments.Production));
        Assert.Contains("openssl rand -base64 32", e.Message);
        Assert.Contains("Storage:AllowGeneratedKey", e.Message);
        Assert.False(File.Exists(Path.Combine(store.Path, MasterKeyLoader.FileName)));
    }

    [Fact]
    public async Task In_production_AllowGeneratedKey_starts_the_engine_on_a_key_file_only_its_owner_can_read()
    {
        using var store = new TempDirectory();
        var settings = new Dictionary<string, string?>(NoMasterKey) { ["Storage:AllowGeneratedKey"] = "true" };
        await using var app = await SiloApp.StartAsync(settings, store.Path, b => b.Environment.EnvironmentName = Environments.Production);
        Assert.True((await app.Http.GetAsync("healthz")).IsSuccessStatusCode);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(store.Path, MasterKeyLoader.FileName)));
    }
}
