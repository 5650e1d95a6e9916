namespace Switchboard.Bench;

/// <summary>One benchmark or load run: <c>dotnet run -c Release --project bench -- NAME [args]</c>. Found by reflection, so adding one is adding a file.</summary>
public interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}
