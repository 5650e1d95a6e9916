using System.Text;
using Switchboard.Dialog.Loading;

namespace Switchboard.Fuzz.Targets;

/// <summary>A bot's YAML as one file: loaded, or refused with a <see cref="BotDefinitionException"/> that names a line; anything else is a bug.</summary>
public static class BotYamlTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            BotLoader.Load("fuzz", "/nonexistent/fuzz", [("fuzz/bot.yaml", Encoding.UTF8.GetString(input))]);
        }
        catch (BotDefinitionException)
        {
        }
    }
}
