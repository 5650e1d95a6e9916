using Microsoft.Extensions.DependencyInjection;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Dialog.Tests;

/// <summary>Whatever a customer sends, the engine answers with the fallback and the conversation carries on; nothing throws.</summary>
[Collection(SiloCollection.Name)]
public sealed class BadInputTests(SiloFixture fixture)
{
    public static TheoryData<string, string> Inputs() => new()
    {
        { "empty", "" },
        { "whitespace", "   \t " },
        { "10 KB", string.Concat(Enumerable.Repeat("lorem ipsum dolor ", 580)) },
        { "only emoji", "😀🙈🔥✈️👍🏽" },
        { "Hindi", "मुझे अपनी उड़ान के बारे में जानकारी चाहिए" },
        { "Spanish", "¿Dónde está la biblioteca municipal?" },
        { "Chinese", "我想预订一张机票" },
        { "control characters", "\u0000\u0001\u0007\u001b[31m" },
        { "braces", "{{not-a-token}} {result.seat} {booking_ref}" },
    };

    private async Task<(ICustomerGrain Customer, TurnResult First, ChannelAddress Address)> NewCustomer(string first, Channel channel = Channel.WhatsApp)
    {
        var grains = fixture.Silo.App.Services.GetRequiredService<IGrainFactory>();
        var address = new ChannelAddress(AddressKind.WhatsApp, "9197" + Random.Shared.NextInt64(10_000_000, 99_999_999));
        var r = await grains.GetGrain<IConversationIngressGrain>(0).Receive(new InboundTurn("airline", channel, address, Guid.NewGuid().ToString(), first, null, default));
        return (grains.GetGrain<ICustomerGrain>(GrainKeys.Customer("airline", r.CustomerId)), r, address);
    }

    private Task<TurnResult> Say(ChannelAddress address, string text, Channel channel = Channel.WhatsApp) =>
        fixture.Silo.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IConversationIngressGrain>(0)
            .Receive(new InboundTurn("airline", channel, address, Guid.NewGuid().ToString(), text, null, default));

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Bad_input_gets_the_fallback(string kind, string text)
    {
        var (customer, _, address) = await NewCustomer("hello");
        var reply = (await Say(address, text)).Reply;
        Assert.Contains("didn't catch that", reply.Text);
        Assert.Contains(reply.OptionList, o => o.Title == "Rebook a flight");
        Assert.Null((await customer.GetView()).Ephemeral.ActiveFlow);
        Assert.False(string.IsNullOrWhiteSpace(kind));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Bad_input_in_a_flow_reasks_the_pending_question_and_keeps_the_flow(string kind, string text)
    {
        var (customer, first, address) = await NewCustomer("I missed my connection");
        await Say(address, "2468");
        Assert.Equal("booking_ref", (await customer.GetView()).Ephemeral.PendingSlot);
        var reply = (await Say(address, text)).Reply;
        Assert.Contains("didn't catch that", reply.Text);
        Assert.Contains("booking reference", reply.Text);
        var view = await customer.GetView();
        Assert.Equal("rebook", view.Ephemeral.ActiveFlow);
        Assert.Equal("booking_ref", view.Ephemeral.PendingSlot);
        Assert.Equal(1, view.Ephemeral.ConsecutiveMisses);
        Assert.NotEqual(kind, first.Reply.Text);
    }

    [Fact]
    public async Task Misses_in_a_row_end_with_a_person_and_a_summary()
    {
        var (_, _, address) = await NewCustomer("I missed my connection");
        await Say(address, "2468");
        await Say(address, "AB12CD");
        await Say(address, "😀");
        await Say(address, "???");
        var reply = (await Say(address, "🙈"));
        Assert.Equal(ReplyActionKind.HandToAgent, reply.Reply.Action?.Kind);
        Assert.Contains("booking_ref=AB12CD", reply.Reply.Action!.Summary);
    }
}
