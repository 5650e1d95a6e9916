using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Dialog;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Pii;

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
        // Tokens rendered for people as the silo's engine provider has them rendered.
        _engine = new DialogEngine(bot, (settings ?? new DialogEngineSettings { VoiceNumber = "+15550100000" }) with { ShowTokens = PiiDisplay.Humanize },
            backend ?? new DialogBackend(new HttpClient(), TimeProvider.System), NullLogger.Instance);
    }

    public EphemeralContext Ephemeral { get; } = new();
    public PersistentIntentContext Intent { get; } = new();
    public Dictionary<string, string> Data { get; } = [];
    public DateTimeOffset Now { get; set; } = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    public List<string> IssuedTokens { get; } = [];
    /// <summary>The system metadata layer (verification status) kept across turns, as the customer grain keeps it.</summary>
    public SystemMetadata System { get; } = new();
    /// <summary>Secrets the harness tokenized (the grain's vault stand-in): token → digits, and every resolution asked for.</summary>
    public Dictionary<string, string> Vault { get; } = [];
    public List<(string Token, string Purpose)> Resolved { get; } = [];

    public async Task<EngineReply> Say(Channel channel, string text, TurnPayload? payload = null)
    {
        if (_previous is { } p && p != channel) Intent.ChannelSwitches++;
        // Like the grain's tokenizer: while a secret is expected, a lone run of 4 to 8 digits becomes an OTP token.
        if (Data.ContainsKey(EngineDataKeys.ExpectSecretDigits) && text.Trim() is { Length: >= 4 and <= 8 } digits && digits.All(char.IsAsciiDigit))
        {
            text = $"{{{{otp:h{Vault.Count + 1}}}}}";
            Vault[text] = digits;
        }
        var reply = await _engine.RespondAsync(new DialogTurn
        {
            Tenant = "t",
            CustomerId = "c-0000",
            Channel = channel,
            Text = text,
            Payload = payload,
            Now = Now,
            Ephemeral = Ephemeral,
            Intent = Intent,
            System = System,
            EngineData = Data,
            PreviousChannel = _previous,
            IssueSessionToken = (purpose, _) =>
            {
                var token = $"token-{purpose}-{++_tokens}";
                IssuedTokens.Add(token);
                return token;
            },
            IssueCallCode = _ => Task.FromResult("123456"),
            ResolveSecret = (token, purpose) =>
            {
                Resolved.Add((token, purpose));
                return Vault.TryGetValue(token, out var v) ? v : null;
            },
        });
        _previous = channel;
        return reply;
    }
}
