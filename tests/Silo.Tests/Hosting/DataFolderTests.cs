using Microsoft.Extensions.Configuration;
using Switchboard.Silo.Hosting;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Hosting;

public sealed class DataFolderTests
{
    private static IConfiguration Config(string? path) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Path"] = path }).Build();

    [Fact]
    public void The_default_data_folder_is_data_in_the_working_directory()
    {
        using var cwd = new TempDirectory();
        Assert.Equal(Path.Combine(cwd.Path, "data"), DataFolder.Resolve(Config(null), cwd.Path));
    }

    [Fact]
    public void A_data_folder_under_a_project_folder_is_refused_with_the_reason()
    {
        using var repo = new TempDirectory();
        var project = Directory.CreateDirectory(Path.Combine(repo.Path, "Silo")).FullName;
        File.WriteAllText(Path.Combine(project, "Silo.csproj"), "<Project />");

        // `cd Silo && dotnet run`: the working directory is the project folder.
        var e = Assert.Throws<InvalidOperationException>(() => DataFolder.Resolve(Config(null), project));
        Assert.Contains("Silo.csproj", e.Message);
        // Storage:Path=Silo/data from the repository root.
        Assert.Throws<InvalidOperationException>(() => DataFolder.Resolve(Config("Silo/data"), repo.Path));
        // The repository root itself holds no project: ./run.sh's ./data is fine.
        Assert.Equal(Path.Combine(repo.Path, "data"), DataFolder.Resolve(Config(null), repo.Path));
    }

    [Fact]
    public void An_absolute_data_folder_is_used_as_given()
    {
        using var cwd = new TempDirectory();
        using var elsewhere = new TempDirectory();
        Assert.Equal(elsewhere.Path, DataFolder.Resolve(Config(elsewhere.Path), cwd.Path));
    }
}
