using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Silo.Admission;
using Switchboard.TestSupport;

namespace Switchboard.Silo.Tests.Admission;

public sealed class WebhookAdmissionTests
{
    [Fact]
    public async Task Past_capacity_a_webhook_gets_503_with_Retry_After_and_its_redelivery_is_served_once()
    {
        var engine = new HeldEngine();
        await using var silo = await OverloadEngine.StartAsync(engine, inFlight: 2, queued: 1,
            new() { ["Admission:Edge:QueueOrder"] = "OldestFirst" });
        var waId = "91980000" + Random.Shared.Next(100, 999);

        // Two turns run (held by the engine), a third waits in the queue: the engine is exactly full. Oldest first, the
        // one that waits keeps its place and a new arrival is refused.
        var running = new[] { OverloadEngine.PostAsync(silo, waId + "1", "wamid.a"), OverloadEngine.PostAsync(silo, waId + "2", "wamid.b") };
        await OverloadEngine.HoldsAsync(engine, 2);
        var queued = OverloadEngine.PostAsync(silo, waId + "3", "wamid.c");
        var admission = silo.App.Services.GetRequiredService<TurnAdmission>();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(admission.Saturated), TimeSpan.FromSeconds(30)));

        using var refused = await OverloadEngine.PostAsync(silo, waId + "4", "wamid.d");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("https://switchboard.dev/problems/overloaded", (string?)problem["type"]);

        // Nothing admitted is dropped: the held and the queued turns are all answered 200.
        engine.Release();
        foreach (var r in await Task.WhenAll([.. running, queued]))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            r.Dispose();
        }

        // The provider redelivers the refused one: served, once.
        using var redelivered = await OverloadEngine.PostAsync(silo, waId + "4", "wamid.d");
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        using var again = await OverloadEngine.PostAsync(silo, waId + "4", "wamid.d");
        var report = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal(1, (int)report["duplicates"]!);
        using var resolve = await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}4");
        var customerId = (string)JsonNode.Parse(await resolve.Content.ReadAsStringAsync())!["customerId"]!;
        var transcript = JsonNode.Parse(await silo.Http.GetStringAsync($"/api/customers/{customerId}/transcript"))!;
        Assert.Equal(1, transcript["turns"]!.AsArray().Count(t => (string?)t!["direction"] == "inbound"));
    }

    [Fact]
    public async Task By_default_a_new_turn_that_finds_the_queue_full_pushes_the_oldest_waiting_one_out_and_nothing_admitted_is_lost()
    {
        var engine = new HeldEngine();
        // The shipped order (Admission:Edge:QueueOrder unset).
        await using var silo = await OverloadEngine.StartAsync(engine, inFlight: 1, queued: 1);
        var waId = "91980002" + Random.Shared.Next(100, 999);
        var running = OverloadEngine.PostAsync(silo, waId + "1", "wamid.n1");
        await OverloadEngine.HoldsAsync(engine, 1);
        var oldest = OverloadEngine.PostAsync(silo, waId + "2", "wamid.n2");
        var admission = silo.App.Services.GetRequiredService<TurnAdmission>();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(admission.Saturated), TimeSpan.FromSeconds(30)));

        // The newest arrival takes the queue's place; the one that waited longest is refused, as a refusal always is.
        var newest = OverloadEngine.PostAsync(silo, waId + "3", "wamid.n3");
        // Bounded: oldest first, this one would wait in the queue until the engine is released.
        using var pushedOut = await oldest.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pushedOut.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), pushedOut.Headers.RetryAfter?.Delta);
        Assert.False(newest.IsCompleted);

        engine.Release();
        foreach (var r in await Task.WhenAll(running, newest))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            r.Dispose();
        }
        // The refused one was never read: its redelivery is its first and only turn.
        using var redelivered = await OverloadEngine.PostAsync(silo, waId + "2", "wamid.n2");
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        using var resolve = await silo.Http.GetAsync($"/api/customers/resolve?channel=whatsapp&address={waId}2");
        var customerId = (string)JsonNode.Parse(await resolve.Content.ReadAsStringAsync())!["customerId"]!;
        var transcript = JsonNode.Parse(await silo.Http.GetStringAsync($"/api/customers/{customerId}/transcript"))!;
        Assert.Equal(1, transcript["turns"]!.AsArray().Count(t => (string?)t!["direction"] == "inbound"));
    }

    [Fact]
    public async Task Under_capacity_nothing_is_refused_and_other_endpoints_are_never_limited()
    {
        var engine = new HeldEngine();
        await using var silo = await OverloadEngine.StartAsync(engine, inFlight: 1, queued: 0);
        var held = OverloadEngine.PostAsync(silo, "919800011111", "wamid.held");
        await OverloadEngine.HoldsAsync(engine, 1);

        // Full for turns, but health and the admin API still answer.
        using var health = await silo.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var refused = await OverloadEngine.PostAsync(silo, "919800011112", "wamid.refused");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

        engine.Release();
        using var served = await held;
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        using var next = await OverloadEngine.PostAsync(silo, "919800011112", "wamid.refused");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Invalid_admission_settings_stop_the_engine_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(async () =>
        {
            await using var silo = await OverloadEngine.StartAsync(new HeldEngine(), inFlight: 0, queued: -1);
        });
        Assert.Contains("MaxInFlightTurns", error.Message);
        Assert.Contains("MaxQueuedTurns", error.Message);
    }
}
