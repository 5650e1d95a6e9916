using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Dialog;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Dialog.Tests;

/// <summary>
/// The dialog engine over in-memory context layers, for unit tests of the dialog step (no silo). The story tests run the
/// same engine through real grains.
/// </summary>
public sealed class EngineHarness
{
    private static readonly Lazy<BotRuntime> AirlineBot = new(() => BotRuntime.LoadFolder(BotsPath("airline")));
    private static readonly Lazy<BotRuntime> AutoserviceBot = new(() => BotRuntime.LoadFolder(BotsPath("autoservice")));

    public static string BotsPath(string bot) => Path.Combine(AppContext.BaseDirectory, "bots", bot);

    public static BotRuntime Airline => AirlineBot.Value;
    public static BotRuntime Autoservice => AutoserviceBot.Value;

    private readonly DialogEngine _engine;
    private Channel? _previous;
    private int _tokens;

    public EngineHarness(BotRuntime bot, DialogEngineSettings? settings = null, DialogBackend? backend = null)
    {
        _engine = new DialogEngine(bot, settings ?? new DialogEngineSettings { VoiceNumber = "+15550100000" },
            backend ?? new DialogBackend(new HttpClient(), TimeProvider.System), NullLogger.Instance);
    }

    public EphemeralContext Ephemeral { get; } = new();
    public PersistentIntentContext Intent { get; } = new();
    public Dictionary<string, string> Data { get; } = [];
    public DateTimeOffset Now { get; set; } = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    public List<string> IssuedTokens { get; } = [];

    public async Task<EngineReply> Say(Channel channel, string text, TurnPayload? payload = null)
    {
        if (_previous is { } p && p != channel) Intent.ChannelSwitches++;
        var reply = await _engine.RespondAsync(new TurnContext
        {
            Tenant = "t",
            CustomerId = "c-0000",
            Channel = channel,
            Text = text,
            Payload = payload,
            Now = Now,
            Ephemeral = Ephemeral,
            Intent = Intent,
            System = new SystemMetadata(),
            EngineData = Data,
            PreviousChannel = _previous,
            IssueSessionToken = (purpose, _) =>
            {
                var token = $"token-{purpose}-{++_tokens}";
                IssuedTokens.Add(token);
                return token;
            },
            IssueCallCode = _ => Task.FromResult("123456"),
        });
        _previous = channel;
        return reply;
    }
}
