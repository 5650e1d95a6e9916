using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Logging;

/// <summary>The levels in Silo/appsettings.json, on a real WhatsApp turn that places grains and sends its reply over HTTP.</summary>
public sealed class DefaultLogLevelTests
{
    private const string AppSecret = "log-levels-app-secret";

    [Fact]
    public async Task A_webhook_turn_at_the_default_levels_logs_no_polly_or_httpclient_lines()
    {
        await using var meta = await MetaStandIn.StartAsync();
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = AppSecret,
            ["WhatsApp:AccessToken"] = "log-levels-token",
            ["WhatsApp:PhoneNumberId"] = WhatsAppWebhookPost.DefaultPhoneNumberId,
            ["WhatsApp:ApiBaseUrl"] = meta.BaseUrl,
        });

        var posted = await WhatsAppWebhookPost.PostSignedAsync(app.Http,
            WhatsAppWebhookPost.Text("919800000077", "wamid.loglevels.1", "hello"), AppSecret);
        Assert.True(posted.IsSuccessStatusCode);
        // The reply went out through the resilient HttpClient: the code paths that logged per call did run.
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(!meta.Received.IsEmpty), TimeSpan.FromSeconds(20)));

        Assert.NotEmpty(app.Logs.Lines);
        var chatter = app.Logs.Lines.Where(l => l.Contains(" Polly") || l.Contains(" System.Net.Http") || l.Contains("Execution attempt")).ToList();
        Assert.Empty(chatter);
    }

    /// <summary>Meta's send endpoint, answering every message with a wamid.</summary>
    private sealed class MetaStandIn(WebApplication app) : IAsyncDisposable
    {
        public ConcurrentQueue<string> Received { get; } = new();
        public string BaseUrl => app.Urls.First().TrimEnd('/');

        public static async Task<MetaStandIn> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var standIn = new MetaStandIn(app);
            app.MapPost("/{version}/{numberId}/messages", (HttpContext context) =>
            {
                standIn.Received.Enqueue(context.Request.Path);
                return Results.Json(new { messaging_product = "whatsapp", messages = new[] { new { id = "wamid.out." + standIn.Received.Count } } });
            });
            await app.StartAsync();
            return standIn;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
