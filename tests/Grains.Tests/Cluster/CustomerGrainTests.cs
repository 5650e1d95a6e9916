using Switchboard.Grains.Customers;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.TestSupport;
using static Switchboard.Grains.Tests.Cluster.Turns;

namespace Switchboard.Grains.Tests.Cluster;

/// <summary>The customer grain on the embedded file store, through real silos.</summary>
public sealed class CustomerGrainTests : IAsyncLifetime
{
    private readonly TempDirectory _store = new();
    private readonly CapturedLogs _logs = new();
    private Orleans.TestingHost.InProcessTestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await SwitchboardCluster.StartAsync(storePath: _store.Path, logs: _logs);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public async Task A_turn_written_on_whatsapp_is_read_through_the_callers_sip_address()
    {
        var first = await Grains.Ingress().Receive(WhatsApp("919800000001", "I missed my connection in Doha"));
        var second = await Grains.Ingress().Receive(Voice("sip:+919800000001@sbc.example.net", "hello again"));

        Assert.Equal(first.CustomerId, second.CustomerId);
        var transcript = await Grains.Customer(first.CustomerId).GetTranscript();
        Assert.Equal([Channel.WhatsApp, Channel.WhatsApp, Channel.Voice, Channel.Voice], transcript.Turns.Select(t => t.Channel));
        Assert.Equal("I missed my connection in Doha", transcript.Turns[0].Text);
        Assert.Equal(Direction.Outbound, transcript.Turns[1].Direction);
        var view = await Grains.Customer(first.CustomerId).GetView();
        Assert.Equal(1, view.PersistentIntent.ChannelSwitches);
        Assert.Equal(await Grains.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.Phone, "+919800000001")), first.CustomerId);
    }

    [Fact]
    public async Task One_number_is_two_customers_at_two_tenants()
    {
        var airline = await Grains.Ingress().Receive(WhatsApp("919800000002", "hi"));
        var auto = await Grains.Ingress().Receive(WhatsApp("919800000002", "hi") with { Tenant = "autoservice" });
        Assert.NotEqual(airline.CustomerId, auto.CustomerId);
    }

    [Fact]
    public async Task A_message_delivered_twice_is_processed_once()
    {
        var turn = WhatsApp("919800000003", "rebook me", "wamid.same");
        var first = await Grains.Ingress().Receive(turn);
        var again = await Grains.Ingress().Receive(turn);

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.Reply, again.Reply);
        var transcript = await Grains.Customer(first.CustomerId).GetTranscript();
        Assert.Equal(2, transcript.Turns.Count);
    }

    [Fact]
    public async Task A_redelivery_long_after_the_first_delivery_is_still_recognised()
    {
        var first = await Grains.Ingress().Receive(WhatsApp("919800000012", "the first message", "wamid.old"));
        for (var i = 0; i < CustomerGrain.RepliesKept + 5; i++)
            await Grains.Ingress().Receive(WhatsApp("919800000012", $"later {i}"));
        var again = await Grains.Ingress().Receive(WhatsApp("919800000012", "the first message", "wamid.old"));
        Assert.True(again.Duplicate);
        var inbound = (await Grains.Customer(first.CustomerId).GetTranscript()).Turns.Count(t => t.Text == "the first message");
        Assert.Equal(1, inbound);
    }

    [Fact]
    public async Task Consent_keeps_its_history_and_answers_with_the_reason()
    {
        var id = (await Grains.Ingress().Receive(WhatsApp("919800000004", "hi"))).CustomerId;
        var customer = Grains.Customer(id);
        Assert.False((await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Marketing)).Allowed);

        await customer.RecordConsent(new ConsentChange(Channel.WhatsApp, ConsentPurpose.Marketing, ConsentStatus.Granted, "web-form", "form#12", default));
        Assert.True((await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Marketing)).Allowed);
        await customer.RecordConsent(new ConsentChange(Channel.WhatsApp, ConsentPurpose.Marketing, ConsentStatus.Revoked, "keyword", "wamid.stop", default));

        var decision = await customer.CanContact(Channel.WhatsApp, ConsentPurpose.Marketing);
        Assert.False(decision.Allowed);
        Assert.Contains("revoked via keyword", decision.Reason);
        var entry = (await customer.GetView()).Consent.Single(c => c.Channel == Channel.WhatsApp && c.Purpose == ConsentPurpose.Marketing);
        Assert.Equal(ConsentStatus.Revoked, entry.Status);
        Assert.Equal(["web-form", "keyword"], entry.History.Select(h => h.Source));
    }

    [Fact]
    public async Task Pii_is_tokenized_in_the_transcript_and_resolvable_only_through_an_audited_call()
    {
        var canary = new Canary();
        var result = await Grains.Ingress().Receive(WhatsApp("919800000005", $"card {canary.CardSpaced} mail {canary.Email}"));
        var customer = Grains.Customer(result.CustomerId);

        var turns = (await customer.GetTranscript()).Turns;
        Assert.All(turns, t => Assert.Null(canary.FoundIn(t.Text)));
        var view = await customer.GetView();
        Assert.Equal(2, view.PiiTokens.Count);
        var cardToken = view.PiiTokens.Single(t => t.StartsWith("{{card:"));

        await Assert.ThrowsAsync<ArgumentException>(() => customer.ResolvePii(cardToken, "", "agent-7"));
        Assert.Equal(canary.Card, await customer.ResolvePii(cardToken, "refund", "agent-7"));
        var audit = Assert.Single(await customer.GetPiiAudit());
        Assert.Equal(("refund", "agent-7", true), (audit.Purpose, audit.Actor, audit.Granted));
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_silo_on_the_embedded_store()
    {
        var id = (await Grains.Ingress().Receive(WhatsApp("919800000006", "remember me"))).CustomerId;
        await _cluster.DisposeAsync();
        _cluster = await SwitchboardCluster.StartAsync(storePath: _store.Path, logs: _logs);

        Assert.Equal(id, await Grains.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.WhatsApp, "919800000006")));
        Assert.Equal("remember me", (await Grains.Customer(id).GetTranscript()).Turns[0].Text);
    }

    /// <summary>
    /// Replaying the journal (latest snapshot + the records after it) rebuilds exactly what the live turns built: every
    /// kind of change (turns past a snapshot, PII, consent by API, a linked address, a session token, a PII resolution)
    /// compared field by field after a restart.
    /// </summary>
    [Fact]
    public async Task A_restart_replays_the_journal_into_exactly_the_state_the_turns_built()
    {
        var (id, token, canary) = await EveryKindOfChange(Grains, "919800000016");
        var customer = Grains.Customer(id);
        var before = await Snapshot(customer);
        await _cluster.DisposeAsync();
        _cluster = await SwitchboardCluster.StartAsync(storePath: _store.Path, logs: _logs);
        var after = await Snapshot(Grains.Customer(id));

        Assert.Equal(before, after);
        Assert.Equal(canary.Card, await Grains.Customer(id).ResolvePii(token, "refund", "agent-7"));
    }

    [Fact]
    public async Task The_transcript_stays_bounded_and_folds_older_turns_into_the_summary()
    {
        string id = "";
        for (var i = 0; i < CustomerGrain.TranscriptLimit / 2 + 10; i++)
            id = (await Grains.Ingress().Receive(WhatsApp("919800000007", $"message {i}"))).CustomerId;
        var page = await Grains.Customer(id).GetTranscript();
        Assert.Equal(CustomerGrain.TranscriptLimit, page.Turns.Count);
        Assert.Equal(20, page.Summary.FoldedTurns);
        Assert.Equal("message 10", page.Turns[0].Text);
    }

    [Fact]
    public async Task A_session_token_joins_a_web_visitor_to_the_whatsapp_customer()
    {
        var id = (await Grains.Ingress().Receive(WhatsApp("919800000008", "continue on web please"))).CustomerId;
        var token = await Grains.Customer(id).IssueSessionToken("continue-on-web", TimeSpan.FromMinutes(10));

        Assert.Null(await Grains.Ingress().JoinWithSessionToken(Tenant, token + "x", new ChannelAddress(AddressKind.WebVisitor, "visitor-abcdef12")));
        Assert.Equal(id, await Grains.Ingress().JoinWithSessionToken(Tenant, token, new ChannelAddress(AddressKind.WebVisitor, "visitor-abcdef12")));
        var web = await Grains.Ingress().Receive(Web("visitor-abcdef12", "here I am"));
        Assert.Equal(id, web.CustomerId);
    }

    [Fact]
    public async Task A_call_code_joins_an_anonymous_call_once()
    {
        var id = (await Grains.Ingress().Receive(WhatsApp("919800000009", "call me"))).CustomerId;
        var code = await Grains.Ingress().IssueCallCode(Tenant, id, TimeSpan.FromMinutes(10));
        var callId = new ChannelAddress(AddressKind.SipCallId, "a84b4c76e66710@pc33.example.com");

        Assert.Matches("^[0-9]{6}$", code);
        Assert.Equal(id, await Grains.Ingress().JoinWithCallCode(Tenant, code, callId));
        Assert.Null(await Grains.Ingress().JoinWithCallCode(Tenant, code, callId with { Value = "other-call@x" }));
        Assert.Contains(callId, (await Grains.Customer(id).GetView()).Addresses);
    }

    [Fact]
    public async Task Bad_input_is_refused_and_changes_nothing()
    {
        var filesBefore = Directory.EnumerateFiles(_store.Path, "*", SearchOption.AllDirectories).Count();
        await Assert.ThrowsAsync<InvalidAddressException>(() => Grains.Ingress().Receive(WhatsApp("+9198", "hi")));
        await Assert.ThrowsAsync<ArgumentException>(() => Grains.Ingress().Receive(WhatsApp("919800000010", new string('x', CustomerGrain.MaxTextLength + 1))));
        await Assert.ThrowsAsync<ArgumentException>(() => Grains.Ingress().Receive(WhatsApp("919800000010", "hi", messageId: "")));
        await Assert.ThrowsAsync<ArgumentException>(() => Grains.Ingress().Receive(WhatsApp("919800000010", "hi") with { Tenant = "nobody" }));
        var unknown = Grains.Customer("c-00000000000000000000");
        Assert.False(await unknown.Exists());
        await Assert.ThrowsAsync<UnknownCustomerException>(() => unknown.GetView());
        await Assert.ThrowsAsync<UnknownCustomerException>(() => unknown.RecordConsent(
            new ConsentChange(Channel.Sms, ConsentPurpose.Marketing, ConsentStatus.Granted, "x", "y", default)));

        Assert.Null(await Grains.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.WhatsApp, "919800000010")));
        Assert.Equal(filesBefore, Directory.EnumerateFiles(_store.Path, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Erasure_removes_the_customer_its_vault_and_its_addresses()
    {
        var canary = new Canary();
        var id = (await Grains.Ingress().Receive(WhatsApp("919800000011", $"aadhaar {canary.Aadhaar}"))).CustomerId;
        await Grains.Customer(id).Erase();

        Assert.False(await Grains.Customer(id).Exists());
        Assert.Null(await Grains.Ingress().Resolve(Tenant, new ChannelAddress(AddressKind.WhatsApp, "919800000011")));
        var again = await Grains.Ingress().Receive(WhatsApp("919800000011", "hello"));
        Assert.NotEqual(id, again.CustomerId);
        foreach (var file in Directory.EnumerateFiles(_store.Path, "*", SearchOption.AllDirectories))
            Assert.Null(canary.FoundIn(await File.ReadAllBytesAsync(file)));
    }
}
