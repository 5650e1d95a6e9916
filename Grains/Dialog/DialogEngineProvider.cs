using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Switchboard.Dialog;
using Switchboard.Dialog.Llm;
using Switchboard.Dialog.Nlu;
using Switchboard.Grains.Conversation;
using Switchboard.Grains.Pii;
using Switchboard.Tenancy;

namespace Switchboard.Grains.Dialog;

/// <summary>
/// Loads every tenant's bot (<see cref="TenantOptions.Bot"/>, a folder under the bots path) once, at start, and hands
/// each tenant its engine. A tenant without a bot gets the echo engine. A bad bot file fails the start with file, line, reason.
/// </summary>
public sealed class DialogEngineProvider : IConversationEngineProvider
{
    private readonly Dictionary<string, IConversationEngine> _engines = new(StringComparer.Ordinal);
    private readonly EchoConversationEngine _echo = new();

    public DialogEngineProvider(TenantDirectory tenants, DialogOptions options, DialogBackend backend, ILoggerFactory loggers, DialogTrace? trace = null, ISentenceEmbedder? embedder = null, LlmCommandGenerator? llm = null)
    {
        var logger = loggers.CreateLogger<DialogEngine>();
        var botNames = tenants.All.Where(t => !string.IsNullOrWhiteSpace(t.Bot)).Select(t => t.Bot).Distinct(StringComparer.Ordinal).ToList();
        var bots = new Dictionary<string, BotRuntime>(StringComparer.Ordinal);
        List<(string name, BotRuntime runtime)> loaded;
        try
        {
            // Training is CPU-bound and per bot: load them side by side.
            loaded = botNames.AsParallel().Select(name => (name, runtime: BotRuntime.LoadFolder(Path.Combine(options.Path, name), embedder))).ToList();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        foreach (var (name, runtime) in loaded) bots[name] = runtime;
        foreach (var t in tenants.All)
        {
            if (string.IsNullOrWhiteSpace(t.Bot)) continue;
            var settings = new DialogEngineSettings
            {
                VoiceNumber = t.VoiceNumber,
                Backend = options.Backends.TryGetValue(t.Bot, out var b) && !string.IsNullOrWhiteSpace(b) ? new Uri(b) : null,
                Llm = llm,
                ShowTokens = PiiDisplay.Humanize,
            };
            _engines[t.Id] = new DialogConversationEngine(new DialogEngine(bots[t.Bot], settings, backend, logger, trace));
            logger.LogInformation("Tenant {Tenant} runs bot {Bot} ({Intents} intents, {Flows} flows)", t.Id, t.Bot, bots[t.Bot].Definition.Intents.Count, bots[t.Bot].Definition.Flows.Count);
        }
    }

    public IConversationEngine For(string tenant) => _engines.TryGetValue(tenant, out var e) ? e : _echo;

    public BotRuntime? BotOf(string tenant) => _engines.TryGetValue(tenant, out var e) && e is DialogConversationEngine d ? d.Engine.Bot : null;
}

/// <summary>Section <c>Bots</c>: where bot folders live, per-bot backend addresses, and a switch back to the echo engine.</summary>
public sealed class DialogOptions
{
    public const string Section = "Bots";

    /// <summary>The folder holding one folder per bot; default <c>bots</c> next to the app.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "bots");

    public bool Enabled { get; set; } = true;

    /// <summary>Bot name → backend base URL, overriding the bot's own <c>settings.backend</c>.</summary>
    public Dictionary<string, string> Backends { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Section <c>Bots:Encoder</c>: intents by meaning where the classifier is unsure (off by default: 91 MB, milliseconds per new sentence).</summary>
    public EncoderOptions Encoder { get; set; } = new();

    /// <summary>Section <c>Bots:Llm</c>: an OpenAI-compatible model in the deployment's network (off unless Endpoint and Model are set).</summary>
    public LlmOptions Llm { get; set; } = new();
}

/// <summary>The optional LLM command generator (<see cref="LlmCommandGenerator"/>).</summary>
public sealed class LlmOptions
{
    /// <summary>Base URL of the OpenAI-compatible API, e.g. <c>http://vllm.internal:8000/v1</c>.</summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    /// <summary>Sent as the bearer key; local servers usually ignore it.</summary>
    public string ApiKey { get; set; } = "unused";

    /// <summary>After this the turn goes on without the model.</summary>
    public double TimeoutSeconds { get; set; } = 2;
}

/// <summary>The embedded all-MiniLM-L6-v2 sentence encoder for <see cref="SemanticIntentMatcher"/>.</summary>
public sealed class EncoderOptions
{
    public bool Enabled { get; set; }

    /// <summary>Distinct sentences whose vectors are kept (least recently used goes first); 384 floats ≈ 1.6 KB each.</summary>
    public int CacheSize { get; set; } = 4096;
}
