using SharpFuzz;
using Switchboard.Fuzz;

// Switchboard.Fuzz <target>                 : under afl-fuzz (SharpFuzz's out-of-process loop; the instrumented assemblies report coverage)
// Switchboard.Fuzz <target> --replay <path>  : runs every file under <path> through the target once (a crash exits non-zero)
// Switchboard.Fuzz list                      : the targets
if (args.Length == 0 || args[0] == "list" || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Keys));
    return args.Length == 0 || args[0] == "list" ? 0 : 2;
}
if (args.Length >= 3 && args[1] == "--replay")
{
    var files = Directory.Exists(args[2]) ? Directory.EnumerateFiles(args[2], "*", SearchOption.AllDirectories).Order().ToArray() : [args[2]];
    foreach (var file in files) target(File.ReadAllBytes(file));
    Console.WriteLine($"{args[0]}: {files.Length} inputs, no crash; {Switchboard.Fuzz.Targets.WebhookTargets.ReachedEngineCount} reached the engine");
    return 0;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
