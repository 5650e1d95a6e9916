using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Switchboard.Grains.Customers;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Journaling;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Customers;

/// <summary>
/// The customer grain holds its turn history (transcript, summary, kept replies) only while a call needs it and reads it
/// back from the journal otherwise (mem8). Whatever was evicted, a read returns every line the turns wrote, in order, in
/// the live activation, after a reactivation and after a restart, and a snapshot written while it was evicted loses nothing.
/// </summary>
public sealed class LazyHistoryTests : IAsyncLifetime
{
    private readonly TempDirectory _store = new();
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    /// <summary>Each call drops the history when it ends (the default keeps it a few seconds), so every test runs the lazy path.</summary>
    private static readonly Dictionary<string, string?> EvictAfterEachCall = new() { [CustomerGrain.IdleReleaseSetting] = "00:00:00" };

    private Task<Orleans.TestingHost.InProcessTestCluster> Start() => SwitchboardCluster.StartAsync(storePath: _store.Path, settings: EvictAfterEachCall);

    public async Task InitializeAsync() => _cluster = await Start();

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _store.Dispose();
    }

    /// <summary>Runs <paramref name="count"/> turns and returns the customer and the lines they should have written (time left out: the grain stamps replies).</summary>
    private async Task<(string Id, List<(Direction, string, string?)> Lines)> Converse(string wa, int count, int from = 0, string? id = null)
    {
        var lines = new List<(Direction, string, string?)>();
        for (var i = from; i < from + count; i++)
        {
            var turn = WhatsApp(wa, $"message {i}", $"wamid.{wa}.{i}");
            var result = await Grains.Ingress().Receive(turn);
            Assert.False(result.Duplicate);
            id = result.CustomerId;
            lines.Add((Direction.Inbound, result.TokenizedText, turn.MessageId));
            lines.Add((Direction.Outbound, result.Reply.Text, null));
        }
        return (id!, lines);
    }

    private static List<(Direction, string, string?)> Lines(TranscriptPage page) => [.. page.Turns.Select(t => (t.Direction, t.Text, t.MessageId))];

    [Fact]
    public async Task Every_line_is_read_back_after_turns_past_a_snapshot_in_the_activation_and_after_a_reactivation()
    {
        // 45 turns: the 32nd record is a snapshot written while the history was out of memory.
        var (id, lines) = await Converse("919800100001", CustomerGrain.SnapshotEvery + 13);
        var customer = Grains.Customer(id);

        var live = await customer.GetTranscript();
        Assert.Equal(lines, Lines(live));
        Assert.Equal(lines.Count, (await customer.GetView()).TranscriptTurns);

        await _cluster.DeactivateAsync(customer);
        var reactivated = await customer.GetTranscript();
        Assert.Equal(live.Turns, reactivated.Turns);
        Assert.Equal(live.Summary.FirstTurnAt, reactivated.Summary.FirstTurnAt);
        Assert.Equal(lines.Count, (await customer.GetView()).TranscriptTurns);

        // More turns on the reactivated customer append after the lines read back.
        var (_, more) = await Converse("919800100001", 3, from: CustomerGrain.SnapshotEvery + 13);
        Assert.Equal([.. lines, .. more], Lines(await customer.GetTranscript()));
    }

    [Fact]
    public async Task Turns_past_the_limit_fold_into_the_summary_as_a_held_transcript_would()
    {
        // 110 turns, 220 lines: each turn past the 100th folds two lines while the history is out of memory.
        var (id, lines) = await Converse("919800100002", CustomerGrain.TranscriptLimit / 2 + 10);
        var customer = Grains.Customer(id);

        var live = await customer.GetTranscript();
        Assert.Equal(lines[^CustomerGrain.TranscriptLimit..], Lines(live));
        Assert.Equal(20, live.Summary.FoldedTurns);
        Assert.Equal(20, live.Summary.TurnsByChannel[Channel.WhatsApp]);
        Assert.NotNull(live.Summary.LastFoldedAt);
        Assert.Equal(lines.Count, (await customer.GetView()).TranscriptTurns);

        await _cluster.DisposeAsync();
        _cluster = await Start();
        var restarted = await Grains.Customer(id).GetTranscript();
        Assert.Equal(live.Turns, restarted.Turns);
        Assert.Equal((live.Summary.FoldedTurns, live.Summary.LastFoldedAt), (restarted.Summary.FoldedTurns, restarted.Summary.LastFoldedAt));
        Assert.Equal(lines.Count, (await Grains.Customer(id).GetView()).TranscriptTurns);
    }

    [Fact]
    public async Task Reads_between_turns_around_a_snapshot_see_each_new_line()
    {
        var wa = "919800100003";
        var (id, lines) = await Converse(wa, 1);
        var customer = Grains.Customer(id);
        // A read after every turn (each brings the history in and drops it again), across the snapshot record.
        for (var i = 1; i < CustomerGrain.SnapshotEvery + 3; i++)
        {
            var (_, next) = await Converse(wa, 1, from: i);
            lines.AddRange(next);
            Assert.Equal(lines, Lines(await customer.GetTranscript()));
        }
        await _cluster.DeactivateAsync(customer);
        Assert.Equal(lines, Lines(await customer.GetTranscript()));
    }

    [Fact]
    public async Task A_redelivery_after_the_history_left_memory_gets_its_first_reply_and_adds_nothing()
    {
        var wa = "919800100004";
        var first = WhatsApp(wa, "I missed my connection in Doha", "wamid.first");
        var original = await Grains.Ingress().Receive(first);
        var (id, _) = await Converse(wa, 4);
        var customer = Grains.Customer(id);
        var before = await customer.GetTranscript();

        var again = await Grains.Ingress().Receive(first);
        Assert.True(again.Duplicate);
        Assert.Equal(original.Reply.Text, again.Reply.Text);
        Assert.Equal(original.TokenizedText, again.TokenizedText);

        await _cluster.DeactivateAsync(customer);
        var afterReactivation = await Grains.Ingress().Receive(first);
        Assert.True(afterReactivation.Duplicate);
        Assert.Equal(original.Reply.Text, afterReactivation.Reply.Text);
        Assert.Equal(before.Turns, (await customer.GetTranscript()).Turns);
    }

    [Fact]
    public async Task Contact_checks_name_the_time_of_the_last_inbound_line_on_the_channel_without_the_history()
    {
        var (id, _) = await Converse("919800100005", 3);
        var customer = Grains.Customer(id);
        var lastInbound = (await customer.GetTranscript()).Turns.Last(t => t.Direction == Direction.Inbound).Time;

        Assert.Equal(lastInbound, (await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Transactional)).CustomerWroteAt);
        Assert.Null((await customer.CanContact(Channel.Sms, ConsentPurpose.Transactional)).CustomerWroteAt);
        await _cluster.DeactivateAsync(customer);
        Assert.Equal(lastInbound, (await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Transactional)).CustomerWroteAt);
    }

    [Fact]
    public async Task A_journal_written_with_the_history_in_its_snapshot_reads_back_whole()
    {
        // As every engine so far wrote it: a snapshot holding transcript lines and kept replies, then a turn record.
        var customerId = "c-lazy-history-older-form";
        var services = _cluster.Silos[0].ServiceProvider;
        var journal = services.GetRequiredService<IJournalStore>();
        var serializer = services.GetRequiredService<Serializer>();
        var at = DateTimeOffset.UnixEpoch.AddDays(20_000);
        var state = new CustomerState();
        state.Create(at);
        state.AppendTranscript(new TranscriptTurn(Channel.Sms, Direction.Inbound, at, "older line", "sms.1"));
        state.AppendTranscript(new TranscriptTurn(Channel.Sms, Direction.Outbound, at, "older reply"));
        state.AddProcessed(new ProcessedMessage("sms.1", new EngineReply("older reply"), "older line"));
        await journal.AppendAsync(CustomerGrain.StreamOf(Tenant, customerId), 0, JournalRecordKind.Snapshot, serializer.SerializeToArray(state));
        var change = new CustomerChange { Transcript = [new TranscriptTurn(Channel.Sms, Direction.Inbound, at.AddMinutes(1), "newer line", "sms.2")] };
        await journal.AppendAsync(CustomerGrain.StreamOf(Tenant, customerId), 1, JournalRecordKind.Event, serializer.SerializeToArray(change));

        var customer = Grains.Customer(customerId);
        Assert.Equal(["older line", "older reply", "newer line"], (await customer.GetTranscript()).Turns.Select(t => t.Text));
        Assert.Equal(3, (await customer.GetView()).TranscriptTurns);
        Assert.Equal(at.AddMinutes(1), (await customer.CanContact(Channel.Sms, ConsentPurpose.Transactional)).CustomerWroteAt);
    }

    [Fact]
    public async Task A_snapshot_of_a_state_without_its_history_is_refused_not_written()
    {
        var services = _cluster.Silos[0].ServiceProvider;
        var store = new MemoryJournalStore();
        var journal = new GrainJournal<CustomerState, CustomerChange>(store, services.GetRequiredService<Serializer>(), "customer/test/refused",
            static (s, c) => s.Apply(c), CustomerGrain.SnapshotEvery, complete: CustomerState.IsWhole);
        journal.State.Create(DateTimeOffset.UnixEpoch);
        journal.State.AppendTranscript(new TranscriptTurn(Channel.WhatsApp, Direction.Inbound, DateTimeOffset.UnixEpoch, "hello"));
        await journal.SnapshotAsync();
        journal.State.ReleaseHistory();

        Assert.Throws<InvalidOperationException>(() => { _ = journal.SnapshotAsync(); });
        Assert.Equal(1, (await store.ReadAsync("customer/test/refused")).Version);
        // Read back, the history is whole again and a snapshot may be written.
        var durable = await journal.ReadDurableAsync();
        Assert.Equal("hello", Assert.Single(durable.Transcript).Text);
    }

    // What stays in compact form while the customer is idle (channels, identity keys) and what is read back (history,
    // keys) behaves as before (mem11, CompactCustomerStateTests for the state alone).
    [Fact]
    public async Task Channels_identities_and_vault_keys_of_an_idle_customer_read_back_after_a_reactivation_and_a_restart()
    {
        var wa = "919800200001";
        var id = (await Grains.Ingress().Receive(WhatsApp(wa, "my email is jane.doe@example.com"))).CustomerId;
        var customer = Grains.Customer(id);
        // Past a snapshot, so the restart below reads the sets from a snapshot as well as from turn records.
        for (var i = 0; i < CustomerGrain.SnapshotEvery + 2; i++) await Grains.Ingress().Receive(WhatsApp(wa, $"message {i}"));
        // Sent to the grain directly, as the ingress would after normalising the address.
        var normalized = new ChannelAddress(AddressKind.Phone, "+" + wa);
        var sms = WhatsApp(wa, "and one by text") with { Channel = Channel.Sms, From = normalized };
        await customer.HandleTurn(sms);
        var token = Assert.Single((await customer.GetView()).PiiTokens);

        async Task AssertReadBack(string when)
        {
            // The keys were let go after the last call: a resolution derives them again from the stored salt.
            Assert.Equal("jane.doe@example.com", await customer.ResolvePii(token, "support", "agent-1"));
            Assert.True((await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Transactional)).Allowed, when);
            Assert.True((await customer.CanContact(Channel.Sms, ConsentPurpose.Transactional)).Allowed, when);
            Assert.False((await customer.CanContact(Channel.Voice, ConsentPurpose.Transactional)).Allowed, when);
            // A route from a cache is accepted for the customer's own address only.
            Assert.NotNull(await customer.HandleTurnFrom(WhatsApp(wa, $"cached route {when}") with { From = normalized }, cached: true));
            Assert.Null(await customer.HandleTurnFrom(WhatsApp(wa, $"someone else {when}") with { From = new ChannelAddress(AddressKind.Phone, "+919800299999") }, cached: true));
            var transcript = await customer.GetTranscript();
            Assert.Equal($"cached route {when}", transcript.Turns.Last(t => t.Direction == Direction.Inbound).Text);
            Assert.Contains(transcript.Turns, t => t.Channel == Channel.Sms && t.Text == "and one by text");
        }

        await AssertReadBack("live");
        await _cluster.DeactivateAsync(customer);
        await AssertReadBack("reactivated");
        await _cluster.DisposeAsync();
        _cluster = await Start();
        customer = Grains.Customer(id);
        await AssertReadBack("restarted");
        Assert.Equal(2 * (CustomerGrain.SnapshotEvery + 2 + 2 + 3), (await customer.GetView()).TranscriptTurns);
    }

    // An idle customer keeps its context layers and addresses packed (mem12); every call reads them back whole.
    [Fact]
    public async Task The_layers_and_addresses_of_an_idle_customer_read_back_whole_after_each_call_a_reactivation_and_a_restart()
    {
        var wa = "919800200002";
        var id = (await Grains.Ingress().Receive(WhatsApp(wa, "I missed my connection in Doha"))).CustomerId;
        var customer = Grains.Customer(id);
        await Grains.Ingress().Receive(WhatsApp(wa, "booking ABC123"));
        var normalized = new ChannelAddress(AddressKind.Phone, "+" + wa);
        await customer.HandleTurn(WhatsApp(wa, "tomorrow at 4 pm") with { Channel = Channel.Sms, From = normalized });
        // Calls that change the layers without a turn, each on a customer idle again.
        await customer.MarkVerified(Channel.Sms, "otp", mfa: true);
        await customer.SetCrmField("tier", "gold");
        await customer.LinkAddress(new ChannelAddress(AddressKind.CrmId, "crm-1042"));

        static string Layers(CustomerView v) => string.Join(" | ",
            string.Join(",", v.Ephemeral.LastInputs), v.Ephemeral.LastChannel, v.Ephemeral.UpdatedAt?.ToUnixTimeMilliseconds(), v.Ephemeral.ActiveFlow, v.Ephemeral.PendingSlot,
            string.Join(",", v.PersistentIntent.TurnsByChannel.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")), v.PersistentIntent.ChannelSwitches,
            string.Join(",", v.PersistentIntent.History.Select(h => h.Intent)),
            v.System.CreatedAt.ToUnixTimeMilliseconds(), v.System.Verification.Verified, v.System.Verification.Method, v.System.Verification.MfaPassed, v.System.CrmProfile.Count,
            string.Join(",", v.Addresses.Select(a => $"{a.Kind}:{a.Value}")));

        var live = await customer.GetView();
        Assert.Equal(3, live.Ephemeral.LastInputs.Count);
        Assert.Equal(Channel.Sms, live.Ephemeral.LastChannel);
        Assert.Equal(2, live.PersistentIntent.TurnsByChannel[Channel.WhatsApp]);
        Assert.Equal(1, live.PersistentIntent.TurnsByChannel[Channel.Sms]);
        Assert.True(live.System.Verification is { Verified: true, Method: "otp", MfaPassed: true });
        Assert.Single(live.System.CrmProfile);
        Assert.Equal(["+" + wa, "crm-1042"], live.Addresses.Select(a => a.Value));
        var expected = Layers(live);
        // Read twice while idle: the first read brings them back, the second finds them packed again.
        Assert.Equal(expected, Layers(await customer.GetView()));
        var facts = await customer.ContactFacts([Channel.Sms], ConsentPurpose.Transactional);
        Assert.Equal("+" + wa, facts.Phone);
        Assert.Equal(1, facts.TurnsByChannel[Channel.Sms]);

        await _cluster.DeactivateAsync(customer);
        Assert.Equal(expected, Layers(await customer.GetView()));
        await _cluster.DisposeAsync();
        _cluster = await Start();
        customer = Grains.Customer(id);
        Assert.Equal(expected, Layers(await customer.GetView()));
        // A turn after the restart sees the last inputs and counts it on top.
        await customer.HandleTurn(WhatsApp(wa, "and another") with { From = normalized });
        var after = await customer.GetView();
        Assert.Equal(["I missed my connection in Doha", "booking ABC123", "tomorrow at 4 pm", "and another"], after.Ephemeral.LastInputs);
        Assert.Equal(3, after.PersistentIntent.TurnsByChannel[Channel.WhatsApp]);
    }
}
