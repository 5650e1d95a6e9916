using Switchboard.Journeys.Model;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Journeys.Loading;

/// <summary>
/// Loads one journey file and validates it: known keys only, step ids unique, every branch target an existing later
/// step (so a journey can never loop and no step runs twice), a template or a message on every send (a template only
/// where WhatsApp may be chosen), a timeout or an event on every wait. Errors carry the file and line.
/// </summary>
public static class JourneyLoader
{
    private static readonly string[] StepKinds = ["send", "wait", "branch", "call", "goal", "exit"];

    public static JourneyDefinition Load(string path)
    {
        using var reader = File.OpenText(path);
        return Parse(reader, path);
    }

    public static JourneyDefinition Parse(TextReader text, string file)
    {
        var errors = new List<JourneyError>();
        var journey = Parse(text, file, errors);
        if (errors.Count > 0 || journey is null) throw new JourneyLoadException(errors);
        return journey;
    }

    internal static JourneyDefinition? Parse(TextReader text, string file, List<JourneyError> errors)
    {
        var y = new YamlReader(file, errors);
        if (y.Map(y.Parse(text), "a journey file") is not { } root) return null;
        y.Only(root, "a journey", "journey", "name", "purpose", "goal", "exitOnOptOut", "weight", "steps");
        var id = y.Str(root, "journey", required: true) ?? "?";
        var name = y.Str(root, "name") ?? id;
        var purpose = y.Str(root, "purpose") ?? "marketing";
        if (purpose is not ("marketing" or "transactional"))
            y.Error(YamlReader.Get(root, "purpose")!, $"purpose '{purpose}' is not marketing or transactional");
        JourneyGoal? goal = null;
        if (y.Map(YamlReader.Get(root, "goal"), "'goal'") is { } g)
        {
            y.Only(g, "a goal", "intent", "attribute", "equals");
            goal = new(y.Str(g, "intent"), y.Str(g, "attribute"), y.Str(g, "equals"));
            if (goal.Intent is null && goal.Attribute is null) y.Error(g, "a goal needs an 'intent' or an 'attribute'");
        }
        // A running journey's share of the tenant's outbound capacity is in proportion to its weight (CapacityShare).
        var weight = 1.0;
        if (y.Str(root, "weight") is { } w && (!double.TryParse(w, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out weight)
            || !double.IsFinite(weight) || weight <= 0 || weight > 1000))
        {
            y.Error(YamlReader.Get(root, "weight")!, $"'weight' must be a number above 0 and at most 1000, not '{w}'");
            weight = 1;
        }
        var exitOnOptOut = true;
        if (y.Str(root, "exitOnOptOut") is { } exit && !bool.TryParse(exit, out exitOnOptOut))
            y.Error(YamlReader.Get(root, "exitOnOptOut")!, "'exitOnOptOut' must be true or false");

        var steps = new List<JourneyStep>();
        var targets = new List<(string Target, int From, YamlNode Node)>();
        var seq = y.Seq(YamlReader.Get(root, "steps"), "'steps'");
        if (seq is null || seq.Children.Count == 0) y.Error(root, "a journey needs at least one step under 'steps'");
        foreach (var item in seq?.Children ?? [])
        {
            if (y.Map(item, "a step") is not { } step) continue;
            var kinds = StepKinds.Where(k => YamlReader.Get(step, k) is not null).ToList();
            y.Only(step, "a step", ["id", .. StepKinds]);
            if (kinds.Count != 1) { y.Error(step, $"a step needs exactly one of {string.Join(", ", StepKinds)}"); continue; }
            var stepId = y.Str(step, "id") ?? $"{kinds[0]}-{steps.Count + 1}";
            if (steps.Any(s => s.Id == stepId)) y.Error(step, $"step id '{stepId}' is used twice");
            var line = YamlReader.Line(step);
            var body = YamlReader.Get(step, kinds[0])!;
            JourneyStep? parsed = kinds[0] switch
            {
                "send" => Send(y, body, stepId, line),
                "wait" => Wait(y, body, stepId, line),
                "branch" => Branch(y, body, stepId, line, steps.Count, targets),
                "call" => Call(y, body, stepId, line),
                "goal" => new GoalStep(stepId, line),
                _ => new ExitStep(stepId, line),
            };
            if (parsed is not null) steps.Add(parsed);
        }
        foreach (var (target, from, node) in targets)
        {
            var index = steps.FindIndex(s => s.Id == target);
            if (index < 0) y.Error(node, $"branch target '{target}' is not a step of this journey");
            else if (index <= from) y.Error(node, $"branch target '{target}' is not after the branch (journeys only jump forward, so no step runs twice)");
        }
        return new JourneyDefinition(id, name, purpose, steps, goal, exitOnOptOut, file, weight);
    }

    private static SendStep? Send(YamlReader y, YamlNode node, string id, int line)
    {
        if (y.Map(node, "'send'") is not { } m) return null;
        y.Only(m, "a send", "channel", "prefer", "fallback", "template", "message", "suggestions");
        var channel = y.Str(m, "channel") ?? "best";
        var best = channel == "best";
        var channels = new List<JourneyChannel>();
        if (!best)
        {
            if (JourneyChannels.TryParse(channel, out var c) && c != JourneyChannel.Voice) channels.Add(c);
            else y.Error(YamlReader.Get(m, "channel")!, $"channel '{channel}' is not best, whatsapp, rcs or sms");
        }
        foreach (var (value, n) in y.StrList(m, best ? "prefer" : "fallback"))
            if (JourneyChannels.TryParse(value, out var c) && c != JourneyChannel.Voice) { if (!channels.Contains(c)) channels.Add(c); }
            else y.Error(n, $"channel '{value}' is not whatsapp, rcs or sms");
        if (YamlReader.Get(m, best ? "fallback" : "prefer") is { } wrong)
            y.Error(wrong, best ? "'fallback' goes with a named channel; with 'best' list 'prefer'" : "'prefer' goes with channel: best");
        var template = y.Str(m, "template");
        var message = y.Str(m, "message");
        if (template is null && message is null) y.Error(m, "a send needs a 'template' or a 'message'");
        if (template is not null && message is null && channels.Count > 0 && !channels.Contains(JourneyChannel.WhatsApp))
            y.Error(m, "a template is a WhatsApp message: add a 'message' for rcs/sms");
        var suggestions = y.StrList(m, "suggestions").Select(s => s.Value).ToList();
        return new SendStep(id, line, channels, best && channels.Count == 0, template, message, suggestions);
    }

    private static WaitStep? Wait(YamlReader y, YamlNode node, string id, int line)
    {
        if (y.Map(node, "'wait'") is not { } m) return null;
        y.Only(m, "a wait", "for", "until", "intent");
        var timeout = TimeSpan.FromDays(30);
        if (y.Str(m, "for") is { } f && !Durations.TryParse(f, out timeout))
            y.Error(YamlReader.Get(m, "for")!, $"'{f}' is not a duration (90s, 15m, 48h, 7d)");
        CustomerEventKind? until = null;
        if (y.Str(m, "until") is { } u)
        {
            if (CustomerEventKinds.TryParse(u, out var k)) until = k;
            else y.Error(YamlReader.Get(m, "until")!, $"'{u}' is not an event (replied, intent, delivered, read, delivery-failed, call-completed, goal)");
        }
        var intent = y.Str(m, "intent");
        if (until == CustomerEventKind.Intent && intent is null) y.Error(m, "until: intent needs 'intent: <name>'");
        if (YamlReader.Get(m, "for") is null && until is null) y.Error(m, "a wait needs 'for' (a duration) or 'until' (an event)");
        return new WaitStep(id, line, timeout, until, intent);
    }

    private static BranchStep? Branch(YamlReader y, YamlNode node, string id, int line, int index, List<(string, int, YamlNode)> targets)
    {
        if (y.Map(node, "'branch'") is not { } m) return null;
        y.Only(m, "a branch", "if", "intent", "attribute", "equals", "channel", "then", "else");
        var on = y.Str(m, "if", required: true);
        BranchCondition? condition = on switch
        {
            "replied" => new(BranchOn.Replied),
            "delivery-failed" => new(BranchOn.DeliveryFailed),
            "intent" => new(BranchOn.Intent, y.Str(m, "intent", required: true)),
            "attribute" => new(BranchOn.Attribute, y.Str(m, "attribute", required: true), y.Str(m, "equals")),
            "consent" => ConsentCondition(y, m),
            null => null,
            _ => null,
        };
        if (on is not null && condition is null && on != "consent")
            y.Error(YamlReader.Get(m, "if")!, $"'{on}' is not a branch condition (replied, intent, attribute, delivery-failed, consent)");
        var then = y.Str(m, "then");
        var @else = y.Str(m, "else");
        if (then is null && @else is null) y.Error(m, "a branch needs 'then' or 'else'");
        if (then is not null) targets.Add((then, index, YamlReader.Get(m, "then")!));
        if (@else is not null) targets.Add((@else, index, YamlReader.Get(m, "else")!));
        return condition is null ? null : new BranchStep(id, line, condition, then, @else);
    }

    private static BranchCondition? ConsentCondition(YamlReader y, YamlMappingNode m)
    {
        var channel = y.Str(m, "channel", required: true);
        if (channel is null) return null;
        if (JourneyChannels.TryParse(channel, out var c)) return new(BranchOn.Consent, Channel: c);
        y.Error(YamlReader.Get(m, "channel")!, $"channel '{channel}' is not whatsapp, rcs, sms or voice");
        return null;
    }

    private static CallStep? Call(YamlReader y, YamlNode node, string id, int line)
    {
        if (y.Map(node, "'call'") is not { } m) return null;
        y.Only(m, "a call", "reason", "flow");
        var reason = y.Str(m, "reason", required: true);
        return reason is null ? null : new CallStep(id, line, reason, y.Str(m, "flow"));
    }
}
