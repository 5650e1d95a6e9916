using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Tenancy;

namespace Switchboard.VoiceAgent.Tests;

/// <summary>
/// Right to erasure covers call recordings: <c>DELETE /api/customers/{id}</c> deletes every WAV and sidecar of the
/// customer (recorded through real sipp calls that consent with a key), keeps other customers' recordings, stops and
/// deletes a recording still being written, and fails loudly, keeping the customer, when a file cannot be deleted, so
/// the same request can be repeated.
/// </summary>
[Collection("sipp")]
public sealed class RecordingErasureTests : IAsyncLifetime
{
    private AgentEngine _engine = null!;

    public async Task InitializeAsync() => _engine = await AgentEngine.StartAsync(recordings: true);

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private string TenantFolder => Path.Combine(_engine.RecordingsPath, _engine.App.App.Services.GetRequiredService<TenantDirectory>().Default.Id);

    [Fact]
    public async Task Erasing_a_customer_deletes_their_call_recordings_and_keeps_another_customers()
    {
        var erased = await RecordedCallAsync("919811100011");
        var kept = await RecordedCallAsync("919811100012");
        Assert.NotEqual(erased.Wav, kept.Wav);

        var response = await _engine.Http.DeleteAsync($"api/customers/{erased.CustomerId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = await Json(response);
        Assert.Equal(erased.CustomerId, receipt.GetProperty("customerId").GetString());
        Assert.Equal(1, receipt.GetProperty("removed").GetProperty("call-recordings").GetInt32());

        Assert.False(File.Exists(erased.Wav), "the erased customer's WAV is still there");
        Assert.False(File.Exists(erased.Sidecar), "the erased customer's sidecar is still there");
        Assert.True(File.Exists(kept.Wav) && File.Exists(kept.Sidecar), "the other customer's recording was deleted too");
        Assert.Equal(kept.CustomerId, OwnerOf(kept.Sidecar));
        Assert.Equal(HttpStatusCode.NotFound, (await _engine.Http.GetAsync($"api/customers/{erased.CustomerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _engine.Http.GetAsync($"api/customers/{kept.CustomerId}")).StatusCode);
        Assert.Contains(_engine.App.Logs.Lines, l => l.Contains($"Erasure of customer {erased.CustomerId}", StringComparison.Ordinal) && l.Contains("1 call-recordings removed", StringComparison.Ordinal));
        Assert.DoesNotContain("919811100011", _engine.App.Logs.All);

        await AssertProblem(await _engine.Http.DeleteAsync($"api/customers/{erased.CustomerId}"), HttpStatusCode.NotFound, "unknown-customer");
    }

    [Fact]
    public async Task A_recording_still_being_written_is_stopped_and_deleted_when_its_customer_is_erased_during_the_call()
    {
        var (customer, running, partial) = await RecordingCallAsync("919811100013", TimeSpan.FromSeconds(12));
        var wav = Path.ChangeExtension(partial, ".wav");
        Assert.True(File.Exists(wav));

        var response = await _engine.Http.DeleteAsync($"api/customers/{customer}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await Json(response)).GetProperty("removed").GetProperty("call-recordings").GetInt32());
        Assert.False(File.Exists(wav), "the WAV of the running call is still there");
        Assert.False(File.Exists(partial), "the marker of the running call is still there");

        var result = await running;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await AgentEngine.EventuallyAsync(() => Task.FromResult(_engine.App.Logs.Lines.Any(l =>
            l.Contains("its recording was deleted during the call", StringComparison.Ordinal) && l.Contains(customer, StringComparison.Ordinal)))),
            "the call did not end\nlog:\n" + _engine.VoiceLog);
        // The end of the call wrote nothing back: no WAV, no sidecar, no marker.
        Assert.Empty(Files("*"));
    }

    [Fact]
    public async Task A_call_whose_customer_was_erased_elsewhere_deletes_its_recording_when_it_ends()
    {
        var (customer, running, partial) = await RecordingCallAsync("919811100016", TimeSpan.FromSeconds(8));

        // What another silo's erasure looks like from here: the customer grain is gone, this node's participant never ran.
        var grains = _engine.App.App.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(_engine.App.App.Services.GetRequiredService<TenantDirectory>().Default.Id, customer)).Erase();
        Assert.True(File.Exists(Path.ChangeExtension(partial, ".wav")), "the recording went before the call ended");

        var result = await running;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await AgentEngine.EventuallyAsync(() => Task.FromResult(_engine.App.Logs.Lines.Any(l =>
            l.Contains("deleted at the end of the call", StringComparison.Ordinal) && l.Contains(customer, StringComparison.Ordinal)))),
            "the recording was not deleted at the end of the call\nlog:\n" + _engine.VoiceLog);
        Assert.Empty(Files("*"));
    }

    [Fact]
    public async Task Erasing_a_customer_without_recordings_works_and_an_unknown_customer_is_still_not_found()
    {
        var customer = (await _engine.WhatsAppAsync("919811100014", "hello")).GetProperty("customerId").GetString()!;

        var response = await _engine.Http.DeleteAsync($"api/customers/{customer}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await Json(response)).GetProperty("removed").GetProperty("call-recordings").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await _engine.Http.GetAsync($"api/customers/{customer}")).StatusCode);

        await AssertProblem(await _engine.Http.DeleteAsync("api/customers/c-00000000000000000000"), HttpStatusCode.NotFound, "unknown-customer");
        await AssertProblem(await _engine.Http.DeleteAsync("api/customers/not-a-customer"), HttpStatusCode.NotFound, "unknown-customer");
    }

    [Fact]
    public async Task A_recording_that_cannot_be_deleted_fails_the_erasure_keeps_the_customer_and_a_repeat_finishes_it()
    {
        var customer = (await _engine.WhatsAppAsync("919811100015", "hello")).GetProperty("customerId").GetString()!;
        // A recording of this customer whose audio cannot be deleted: a directory with content where the WAV would be.
        Directory.CreateDirectory(TenantFolder);
        var sidecar = Path.Combine(TenantFolder, "stuck.json");
        await File.WriteAllTextAsync(sidecar, JsonSerializer.Serialize(new { customerId = customer, durationMs = 1000 }));
        var obstacle = Directory.CreateDirectory(Path.Combine(TenantFolder, "stuck.wav"));
        await File.WriteAllTextAsync(Path.Combine(obstacle.FullName, "inside"), "x");

        await AssertProblem(await _engine.Http.DeleteAsync($"api/customers/{customer}"), HttpStatusCode.InternalServerError, "erasure-incomplete");
        Assert.Equal(HttpStatusCode.OK, (await _engine.Http.GetAsync($"api/customers/{customer}")).StatusCode);
        Assert.True(File.Exists(sidecar), "the sidecar naming the customer went although its recording stayed");
        Assert.Contains(_engine.App.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains(customer, StringComparison.Ordinal) && l.Contains("call-recordings", StringComparison.Ordinal));

        obstacle.Delete(true);
        var response = await _engine.Http.DeleteAsync($"api/customers/{customer}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await Json(response)).GetProperty("removed").GetProperty("call-recordings").GetInt32());
        Assert.False(File.Exists(sidecar));
        Assert.Equal(HttpStatusCode.NotFound, (await _engine.Http.GetAsync($"api/customers/{customer}")).StatusCode);
    }

    /// <summary>
    /// A customer known from WhatsApp calls from the same number and consents with key 1; returns while the call (of
    /// <paramref name="length"/> after the consent) is still running and its recording names the customer (the marker of
    /// an unfinished recording).
    /// </summary>
    private async Task<(string CustomerId, Task<SippResult> Running, string Partial)> RecordingCallAsync(string number, TimeSpan length)
    {
        var customer = (await _engine.WhatsAppAsync(number, "hello")).GetProperty("customerId").GetString()!;
        var call = new SippCall()
            .Pause(TimeSpan.FromMilliseconds(1500))
            .Play(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(200)).Digits("1").Silence(TimeSpan.FromMilliseconds(200)))
            .Pause(length);
        var running = call.RunAsync(_engine.SipPort, "+" + number);
        string partial = "";
        Assert.True(await AgentEngine.EventuallyAsync(() =>
        {
            partial = Files("*.partial").FirstOrDefault(f => OwnerOf(f) == customer) ?? "";
            return Task.FromResult(partial.Length > 0);
        }), "no recording started for the call\nlog:\n" + _engine.VoiceLog);
        Assert.False(running.IsCompleted, "the call ended before the erasure; the test needs it running");
        return (customer, running, partial);
    }

    /// <summary>A customer known from WhatsApp calls from the same number, consents with key 1, hears the greeting and hangs up.</summary>
    private async Task<(string CustomerId, string Wav, string Sidecar)> RecordedCallAsync(string number)
    {
        var customer = (await _engine.WhatsAppAsync(number, "hello")).GetProperty("customerId").GetString()!;
        var call = new SippCall()
            .Pause(TimeSpan.FromMilliseconds(1500))
            .Play(new RtpPcapWriter().Silence(TimeSpan.FromMilliseconds(200)).Digits("1").Silence(TimeSpan.FromMilliseconds(200)))
            .Pause(TimeSpan.FromSeconds(3));
        var result = await call.RunAsync(_engine.SipPort, "+" + number);
        Assert.True(result.ExitCode == 0, result.ToString());
        string sidecar = "";
        Assert.True(await AgentEngine.EventuallyAsync(() =>
        {
            sidecar = Files("*.json").FirstOrDefault(f => OwnerOf(f) == customer) ?? "";
            return Task.FromResult(sidecar.Length > 0);
        }), "no finished recording names the customer\nlog:\n" + _engine.VoiceLog);
        var wav = Path.ChangeExtension(sidecar, ".wav");
        Assert.True(new FileInfo(wav).Length > 1046, "the recording holds no audio");
        return (customer, wav, sidecar);
    }

    private string[] Files(string pattern) => Directory.Exists(TenantFolder) ? Directory.GetFiles(TenantFolder, pattern) : [];

    private static string? OwnerOf(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("customerId").GetString();
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // written or deleted meanwhile
        }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblem(HttpResponseMessage r, HttpStatusCode status, string kind)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://switchboard.dev/problems/" + kind, (await Json(r)).GetProperty("type").GetString());
    }
}
