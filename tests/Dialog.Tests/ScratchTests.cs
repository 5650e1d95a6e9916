using Switchboard.Grains.Interfaces.Conversation;
using Xunit.Abstractions;

namespace Switchboard.Dialog.Tests;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch()
    {
        var h = new EngineHarness(EngineHarness.Airline);
        foreach (var (ch, text) in new[] { (Channel.WhatsApp, "hi"), (Channel.WhatsApp, "I missed my connection"), (Channel.WhatsApp, "AB12CD"), (Channel.WhatsApp, "Mumbai"), (Channel.WhatsApp, "tomorrow"),
            (Channel.WebChat, "hello"), (Channel.WebChat, "4 pm"), (Channel.Voice, ""), (Channel.Voice, "yes"), (Channel.Voice, "asdkjh"), (Channel.Voice, "😀😀"), (Channel.Voice, "मुझे मदद चाहिए"), (Channel.Voice, "quiero cambiar mi vuelo"), (Channel.WhatsApp, "is SW 123 on time today") })
        {
            var r = await h.Say(ch, text);
            output.WriteLine($"[{ch}] > {text}\n   < {r.Text} | {r.Style} {string.Join(",", r.OptionList.Select(o => o.Id + "=" + o.Title))} {r.Action}\n   pending={h.Ephemeral.PendingSlot} step={h.Ephemeral.PendingStep}");
        }
        output.WriteLine($"switches {h.Intent.ChannelSwitches} repeat {h.Intent.SwitchesWithRepeat}");
        foreach (var t in new[] { "hi", "I missed my connection", "quiero cambiar mi vuelo", "😀", "tomorrow", "cancel", "what is the weather in paris" })
        {
            var p = EngineHarness.Airline.Classifier.Predict(t);
            output.WriteLine($"{t} -> {p.Intent} {p.Confidence:F2}");
        }
    }
}
