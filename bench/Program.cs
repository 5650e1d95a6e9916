using System.Reflection;
using Switchboard.Bench;

var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

var chosen = args.Length > 0 ? benchmarks.FirstOrDefault(b => b.Name == args[0]) : null;
if (chosen is null)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench -- <benchmark> [options]");
    var width = benchmarks.Max(b => b.Name.Length) + 1;
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name.PadRight(width)} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
return await chosen.RunAsync(args[1..]);
