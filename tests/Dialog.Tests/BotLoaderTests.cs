using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Dialog;
using Switchboard.Grains.Dialog;
using Switchboard.Dialog.Loading;
using Switchboard.TestSupport;

namespace Switchboard.Dialog.Tests;

public sealed class BotLoaderTests
{
    /// <summary>A copy of the shipped airline bot in a temp folder, with one file changed by <paramref name="edit"/>.</summary>
    private static (TempDirectory Dir, string Folder) BrokenAirline(string file, Func<string, string> edit)
    {
        var dir = new TempDirectory();
        var folder = Path.Combine(dir.Path, "airline");
        Directory.CreateDirectory(folder);
        foreach (var f in Directory.EnumerateFiles(EngineHarness.BotsPath("airline")))
            File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        Directory.CreateDirectory(Path.Combine(dir.Path, "autoservice"));
        foreach (var f in Directory.EnumerateFiles(EngineHarness.BotsPath("autoservice")))
            File.Copy(f, Path.Combine(dir.Path, "autoservice", Path.GetFileName(f)));
        var path = Path.Combine(folder, file);
        var before = File.ReadAllText(path);
        var after = edit(before);
        Assert.NotEqual(before, after);
        File.WriteAllText(path, after);
        return (dir, folder);
    }

    private static int LineOf(string folder, string file, string text) =>
        File.ReadAllLines(Path.Combine(folder, file)).Select((l, i) => (l, i)).First(x => x.l.Contains(text, StringComparison.Ordinal)).i + 1;

    [Fact]
    public void The_shipped_bots_load()
    {
        foreach (var name in new[] { "airline", "autoservice" })
        {
            var bot = BotLoader.LoadFolder(EngineHarness.BotsPath(name));
            Assert.Equal(name, bot.Name);
            Assert.True(bot.Flows.Count >= 2);
            Assert.All(bot.Flows, f => Assert.True(f.Title.Length <= 20, $"{f.Title} is too long for a WhatsApp button"));
        }
    }

    [Fact]
    public void Unknown_slot_in_a_flow_fails_with_file_line_and_reason()
    {
        var (dir, folder) = BrokenAirline("flows.yaml", s => s.Replace("for booking {booking_ref}. Shall I confirm it?", "for booking {booking_ref} arriving {arrival}. Shall I confirm it?"));
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Equal("airline/flows.yaml", e.File);
            Assert.Equal(LineOf(folder, "flows.yaml", "arriving {arrival}"), e.Line);
            Assert.Contains("unknown slot 'arrival'", e.Reason);
            Assert.StartsWith($"airline/flows.yaml:{e.Line}:", e.Message);
        }
    }

    [Fact]
    public void Duplicate_intent_fails_at_the_second_definition()
    {
        var (dir, folder) = BrokenAirline("intents.yaml", s => s + "\n  - name: greet\n    examples: [howdy]\n");
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Equal("airline/intents.yaml", e.File);
            Assert.Equal(File.ReadAllLines(Path.Combine(folder, "intents.yaml")).Length - 1, e.Line);
            Assert.Contains("duplicate intent 'greet'", e.Reason);
            Assert.Contains($"line {LineOf(folder, "intents.yaml", "- name: greet")}", e.Reason);
        }
    }

    [Fact]
    public void Yaml_syntax_error_names_the_line()
    {
        var (dir, folder) = BrokenAirline("entities.yaml", s => s.Replace("      - { value: DEL, display: Delhi", "      - { value: DEL, display: [Delhi"));
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Equal("airline/entities.yaml", e.File);
            Assert.StartsWith("YAML syntax error", e.Reason);
            var line = LineOf(folder, "entities.yaml", "display: [Delhi");
            Assert.InRange(e.Line, line, line + 1);
        }
    }

    [Theory]
    [InlineData("flows.yaml", "type: flight_number", "type: flight_numbr", "unknown type 'flight_numbr'")]
    [InlineData("flows.yaml", "offerValues: true", "offerValue: true", "unknown key 'offerValue'")]
    [InlineData("flows.yaml", "intent: flight_status", "intent: flight_statuss", "unknown intent 'flight_statuss'")]
    [InlineData("flows.yaml", "builtin: escalate-to-voice", "builtin: teleport", "unknown built-in action 'teleport'")]
    [InlineData("flows.yaml", "timeout: 2s", "timeout: forever", "timeout 'forever'")]
    [InlineData("flows.yaml", "confirmation: \"{persona.brand}: your new flight", "confirmation: \"{persona.brand}: your new {seat} flight", "unknown slot 'seat' in confirmation")]
    [InlineData("entities.yaml", @"pattern: 'sw\s?\d{2,4}'", "pattern: 'sw(\\d'", "invalid pattern")]
    [InlineData("persona.yaml", "timeZone: Asia/Kolkata", "timeZone: Mars/Olympus", "not a known time zone")]
    [InlineData("persona.yaml", "confidenceThreshold: 0.4", "confidenceThreshold: 4", "between 0 and 1")]
    public void Other_mistakes_fail_with_the_line_of_the_mistake(string file, string find, string replace, string reason)
    {
        var (dir, folder) = BrokenAirline(file, s => s.Replace(find, replace));
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Equal($"airline/{file}", e.File);
            Assert.Contains(reason, e.Reason);
            Assert.Equal(LineOf(folder, file, replace), e.Line);
        }
    }

    [Fact]
    public void The_persona_names_its_calls_voice_and_the_voice_channel_learns_it()
    {
        Assert.Null(BotLoader.LoadFolder(EngineHarness.BotsPath("airline")).Persona.Voice);
        var (dir, folder) = BrokenAirline("persona.yaml", s => s.Replace("  name: Maya\n", "  name: Maya\n  voice: slt\n", StringComparison.Ordinal));
        using (dir)
        {
            var bot = BotLoader.LoadFolder(folder);
            Assert.Equal("slt", bot.Persona.Voice);
            Assert.Equal("slt", BotVoiceGrain.ProfileOf(bot).Voice);
        }
    }

    [Theory]
    [InlineData("\"two words\"")]
    [InlineData("\"<speak>\"")]
    [InlineData("\"\"")]
    public void A_voice_that_is_not_a_voice_name_fails_with_its_line(string voice)
    {
        var (dir, folder) = BrokenAirline("persona.yaml", s => s.Replace("  name: Maya\n", $"  name: Maya\n  voice: {voice}\n", StringComparison.Ordinal));
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Contains("persona.voice", e.Reason);
            Assert.Contains("must be a voice name", e.Reason);
            Assert.Equal(LineOf(folder, "persona.yaml", "voice: "), e.Line);
        }
    }

    [Fact]
    public void A_built_in_action_has_no_written_confirmation()
    {
        var (dir, folder) = BrokenAirline("flows.yaml", s => s.Replace("      success: \"Happy to talk it through.",
            "      confirmation: \"Call us.\"\n      success: \"Happy to talk it through.", StringComparison.Ordinal));
        using (dir)
        {
            var e = Assert.Throws<BotDefinitionException>(() => BotLoader.LoadFolder(folder));
            Assert.Contains("a written confirmation belongs to a flow that completes something", e.Reason);
            Assert.Equal(LineOf(folder, "flows.yaml", "confirmation: \"Call us.\""), e.Line);
        }
    }

    [Fact]
    public async Task The_engine_does_not_start_with_a_bad_bot()
    {
        var (dir, folder) = BrokenAirline("flows.yaml", s => s.Replace("{destination} on {date}. Which one", "{destinaton} on {date}. Which one"));
        using (dir)
        {
            var e = await Assert.ThrowsAsync<BotDefinitionException>(async () =>
            {
                await using var silo = await SiloApp.StartAsync(new Dictionary<string, string?> { ["Bots:Path"] = Path.GetDirectoryName(folder) });
            });
            Assert.Equal("airline/flows.yaml", e.File);
            Assert.Contains("unknown slot 'destinaton'", e.Reason);
        }
    }

    [Fact]
    public void Bots_can_be_switched_off_for_the_echo_engine()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bots:Enabled"] = "false" }).Build();
        services.AddDialogEngine(config);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(DialogEngineProvider));
    }

    [Fact]
    public void An_engine_the_host_registered_itself_is_kept()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddSingleton<Switchboard.Grains.Conversation.IConversationEngineProvider>(new Switchboard.Grains.Conversation.EchoConversationEngine());
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        services.AddDialogEngine(config);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(DialogEngineProvider));
        Assert.Single(services, d => d.ServiceType == typeof(Switchboard.Grains.Conversation.IConversationEngineProvider));
    }
}
