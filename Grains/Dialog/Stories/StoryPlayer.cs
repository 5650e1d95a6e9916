using System.Text.RegularExpressions;
using Switchboard.Dialog;
using Switchboard.Dialog.Stories;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Dialog.Stories;

/// <summary>
/// Plays a <see cref="Story"/> through the real engine (ingress grain → identity → customer grain → tokenizer → dialog
/// engine) and lists every way the replies differ from what the story expects. Every reply is also checked for a raw
/// PII token or an unrendered template placeholder. <paramref name="speak"/> is the voice channel's renderer: a voice
/// reply is checked as it is spoken (the renderer lives with the channel, which the engine does not reference).
/// </summary>
public sealed partial class StoryPlayer(IGrainFactory grains, DialogTrace? trace = null, DialogEngineProvider? bots = null, Func<string, string>? speak = null)
{
    private static int _customers;
    private int _invented;

    /// <summary>Slot values held that are not among the options the bot offered for that slot (target: 0). Needs the bots.</summary>
    public int InventedValues => _invented;

    public async Task<List<string>> Play(Story story)
    {
        var failures = new List<string>();
        var ingress = grains.GetGrain<IConversationIngressGrain>(0);
        var n = Interlocked.Increment(ref _customers);
        var phone = $"9197{Environment.ProcessId % 10000:D4}{n:D4}";
        var visitor = $"visitor-{Guid.NewGuid():n}";
        var time = story.Start;
        string? customerId = null;
        string? lastCallCode = null;
        var everFilled = new HashSet<string>(StringComparer.Ordinal);
        string? flow = null;

        for (var i = 0; i < story.Turns.Count; i++)
        {
            var t = story.Turns[i];
            var where = $"{story.Name} turn {i + 1} ({t.Channel} '{t.Say ?? t.Choose ?? t.Dtmf}')";
            if (!ChannelNames.TryParse(t.Channel, out var channel)) throw new InvalidDataException($"{where}: unknown channel");
            var address = channel switch
            {
                Channel.WhatsApp => new ChannelAddress(AddressKind.WhatsApp, phone),
                Channel.WebChat => new ChannelAddress(AddressKind.WebVisitor, visitor),
                _ => new ChannelAddress(AddressKind.Phone, "+" + phone),
            };
            if (t.JoinWithSessionToken)
            {
                var token = await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(story.Tenant, customerId!)).IssueSessionToken("continue-on-web", TimeSpan.FromMinutes(30));
                var joined = await ingress.JoinWithSessionToken(story.Tenant, token, address);
                if (joined != customerId) failures.Add($"{where}: session token joined {joined}, not {customerId}");
            }
            if (t.JoinWithCallCode)
            {
                address = new ChannelAddress(AddressKind.SipCallId, $"call-{Guid.NewGuid():n}@test");
                var joined = await ingress.JoinWithCallCode(story.Tenant, lastCallCode ?? "", address);
                if (joined != customerId) failures.Add($"{where}: call code joined {joined}, not {customerId}");
            }
            TurnPayload? payload = t.Choose is not null ? new TurnPayload(PayloadKind.Choice, t.Choose)
                : t.Dtmf is not null ? new TurnPayload(PayloadKind.Dtmf, t.Dtmf) : null;
            time = time.AddMinutes(2);
            var result = await ingress.Receive(new InboundTurn(story.Tenant, channel, address, $"{story.Name}-{n}-{i}", t.Say, payload, time));
            customerId ??= result.CustomerId;
            if (result.CustomerId != customerId) failures.Add($"{where}: reached customer {result.CustomerId}, not {customerId}");
            var reply = result.Reply;
            if (reply.Action is { Kind: ReplyActionKind.CallUs, CallCode: { } code }) lastCallCode = code;

            var view = await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(story.Tenant, customerId)).GetView();
            var e = view.Ephemeral;
            if (e.ActiveFlow != flow) everFilled.Clear();
            flow = e.ActiveFlow;
            Check(failures, where, t.Expect, reply, e);
            // What the customer gets: written text, or on a call what the voice renderer makes of it.
            var shown = channel == Channel.Voice && speak is not null ? speak(reply.Text) : reply.Text;
            if (Unrendered().IsMatch(shown) || reply.OptionList.Any(o => Unrendered().IsMatch(o.Title)))
                failures.Add($"{where}: the reply shows a raw token or placeholder: {shown}");
            if (bots?.BotOf(story.Tenant)?.Definition.Flow(e.ActiveFlow) is { } open)
                foreach (var slot in open.Slots.Where(s => s.Options.Count > 0 && e.Slots.ContainsKey(s.Name)))
                {
                    var held = e.Slots[slot.Name];
                    if (slot.Options.Contains(held.Display ?? held.Value, StringComparer.OrdinalIgnoreCase)) continue;
                    Interlocked.Increment(ref _invented);
                    failures.Add($"{where}: slot '{slot.Name}' holds '{held.Display ?? held.Value}', which was never offered");
                }
            if (t.Expect.Intent is { } intent && trace?.LastAct(story.Tenant, customerId) is { } act && act != intent)
                failures.Add($"{where}: the engine took '{act}', expected '{intent}' (reply: {reply.Text})");
            if (story.Outcome?.NoSlotAskedTwice == true && e.PendingSlot is { } p && everFilled.Contains(p))
                failures.Add($"{where}: asked again for '{p}', which was already filled");
            foreach (var k in e.Slots.Keys) everFilled.Add(k);
        }

        if (story.Outcome is { } o && customerId is not null)
        {
            var view = await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(story.Tenant, customerId)).GetView();
            if (o.ChannelSwitches is { } cs && view.PersistentIntent.ChannelSwitches != cs)
                failures.Add($"{story.Name}: {view.PersistentIntent.ChannelSwitches} channel switches, expected {cs}");
            if (o.SwitchesWithRepeat is { } sr && view.PersistentIntent.SwitchesWithRepeat != sr)
                failures.Add($"{story.Name}: {view.PersistentIntent.SwitchesWithRepeat} switches with a repeated question, expected {sr}");
            var history = view.PersistentIntent.History.Select(h => $"{h.Intent}:{h.Resolution}").ToList();
            if (o.History.Count > 0 && !history.SequenceEqual(o.History))
                failures.Add($"{story.Name}: history [{string.Join(", ", history)}], expected [{string.Join(", ", o.History)}]");
        }
        return failures;
    }

    /// <summary>A raw PII token (<c>{{card:…}}</c>) or a template placeholder (<c>{slot}</c>) left in a reply.</summary>
    [GeneratedRegex(@"\{\{[a-z]+:|\{[a-z_.]+\}", RegexOptions.CultureInvariant)]
    public static partial Regex Unrendered();

    private static void Check(List<string> failures, string where, StoryExpect x, EngineReply reply, EphemeralContext e)
    {
        var text = reply.Text;
        foreach (var c in x.Contains)
            if (!text.Contains(c, StringComparison.OrdinalIgnoreCase)) failures.Add($"{where}: reply lacks '{c}': {text}");
        foreach (var c in x.NotContains)
            if (text.Contains(c, StringComparison.OrdinalIgnoreCase)) failures.Add($"{where}: reply should not say '{c}': {text}");
        if (x.StartsWith is { } s && !text.StartsWith(s, StringComparison.OrdinalIgnoreCase)) failures.Add($"{where}: reply should start with '{s}': {text}");
        if (x.Asks is { } asks)
        {
            var pending = e.PendingSlot switch
            {
                null => "nothing",
                DialogStepMarkers.Confirm => "confirm",
                DialogStepMarkers.Change => "change",
                DialogStepMarkers.Verify => "verify",
                DialogStepMarkers.Cancel => "cancel",
                var p => p,
            };
            if (pending != asks) failures.Add($"{where}: waits on '{pending}', expected '{asks}' (reply: {text})");
        }
        foreach (var (slot, want) in x.Slots)
        {
            var have = e.Slots.TryGetValue(slot, out var v) ? v : null;
            if (want.Length == 0 && have is not null) failures.Add($"{where}: slot '{slot}' holds '{have.Display ?? have.Value}', expected empty");
            else if (want.Length > 0 && (have is null || !(string.Equals(have.Display, want, StringComparison.OrdinalIgnoreCase) || string.Equals(have.Value, want, StringComparison.OrdinalIgnoreCase))))
                failures.Add($"{where}: slot '{slot}' holds '{have?.Display ?? have?.Value ?? "nothing"}', expected '{want}'");
        }
        if (x.Flow is { } f && (e.ActiveFlow ?? "none") != f) failures.Add($"{where}: open flow '{e.ActiveFlow ?? "none"}', expected '{f}'");
        if (x.Action is { } a)
        {
            var actual = reply.Action?.Kind switch
            {
                ReplyActionKind.CallUs => "call-us",
                ReplyActionKind.HandToAgent => "hand-to-agent",
                ReplyActionKind.EndConversation => "end",
                ReplyActionKind.ContinueOnWeb => "continue-on-web",
                _ => "none",
            };
            if (actual != a) failures.Add($"{where}: action '{actual}', expected '{a}'");
            if (a == "call-us" && (reply.Action?.SessionToken is null || reply.Action.Target is null || reply.Action.CallCode is not { Length: 6 }))
                failures.Add($"{where}: call-us needs the number, a session token and a call code: {reply.Action}");
        }
        if (x.Style is { } st && !string.Equals(reply.Style.ToString(), st.Replace("-", ""), StringComparison.OrdinalIgnoreCase))
            failures.Add($"{where}: style {reply.Style}, expected {st}");
        foreach (var o in x.Options)
            if (!reply.OptionList.Any(opt => opt.Title.Equals(o, StringComparison.OrdinalIgnoreCase)))
                failures.Add($"{where}: no option '{o}' among [{string.Join(", ", reply.OptionList.Select(p => p.Title))}]");
    }
}
