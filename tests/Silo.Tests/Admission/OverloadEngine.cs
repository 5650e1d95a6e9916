using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Conversation;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Admission;

/// <summary>The real engine with small admission limits and a <see cref="HeldEngine"/>, so tests can fill it exactly.</summary>
public static class OverloadEngine
{
    public const string AppSecret = "overload-app-secret";
    public const string PhoneNumberId = "109876543210";

    public static Task<SiloApp> StartAsync(HeldEngine engine, int inFlight, int queued, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tenants:airline:DisplayName"] = "SkyWays",
            ["Tenants:airline:Default"] = "true",
            ["Tenants:airline:Endpoints:0:Channel"] = "whatsapp",
            ["Tenants:airline:Endpoints:0:Value"] = PhoneNumberId,
            ["WhatsApp:AppSecret"] = AppSecret,
            ["Bots:Enabled"] = "false",
            ["Admission:Edge:MaxInFlightTurns"] = inFlight.ToString(),
            ["Admission:Edge:MaxQueuedTurns"] = queued.ToString(),
            ["Admission:RetryAfterSeconds"] = "3",
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        return SiloApp.StartAsync(settings, configure: b => b.Services.AddSingleton<IConversationEngineProvider>(engine));
    }

    public static Task<HttpResponseMessage> PostAsync(SiloApp silo, string waId, string messageId) =>
        WhatsAppWebhookPost.PostSignedAsync(silo.Http, WhatsAppWebhookPost.Text(waId, messageId, "hello " + messageId, phoneNumberId: PhoneNumberId), AppSecret);

    /// <summary>Waits until the engine holds <paramref name="count"/> turns: they are in flight, past admission.</summary>
    public static async Task HoldsAsync(HeldEngine engine, int count) =>
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(engine.Held >= count), TimeSpan.FromSeconds(30)), $"the engine held {engine.Held} turns, not {count}");
}
