using System.Globalization;
using System.Text.RegularExpressions;
using Switchboard.Dialog.Definition;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Dialog.Loading;

/// <summary>
/// Loads a bot folder: every <c>*.yaml</c> in it is a mapping with some of the sections <c>persona</c>, <c>settings</c>,
/// <c>messages</c>, <c>intents</c>, <c>entities</c>, <c>flows</c> (each section in one file). Anything wrong fails with
/// <see cref="BotDefinitionException"/> naming the file, line and reason.
/// </summary>
public static partial class BotLoader
{
    private static readonly string[] Sections = ["persona", "settings", "messages", "intents", "entities", "verification", "flows"];

    public static BotDefinition LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Bot folder '{folder}' does not exist.");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Display: $"{name}/{Path.GetFileName(f)}", Text: File.ReadAllText(f)))
            .ToList();
        if (files.Count == 0) throw new BotDefinitionException(name, 0, 0, "the bot folder holds no .yaml file.");
        return Load(name, folder, files);
    }

    /// <summary>Loads a bot from (display file name, YAML text) pairs.</summary>
    public static BotDefinition Load(string name, string folder, IEnumerable<(string File, string Text)> files)
    {
        var sections = new Dictionary<string, (YamlNodes Nodes, YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        YamlNodes? first = null;
        foreach (var (file, text) in files)
        {
            var nodes = new YamlNodes(file);
            first ??= nodes;
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                var reason = e.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message) && inner is not YamlException ? inner.Message : e.Message;
                throw new BotDefinitionException(file, (int)e.Start.Line, (int)e.Start.Column, "YAML syntax error: " + Clean(reason), e);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // YamlDotNet throws these on some malformed input instead of a YamlException (found by fuzzing).
                throw new BotDefinitionException(file, 0, 0, "YAML syntax error: the file is not well-formed YAML.", e);
            }
            if (stream.Documents.Count == 0) continue;
            var root = nodes.Map(stream.Documents[0].RootNode, "the file");
            root.Allow(Sections);
            foreach (var (key, keyNode, value) in root.Entries)
            {
                if (sections.TryGetValue(key, out var earlier))
                    throw nodes.Error(keyNode, $"section '{key}' is already defined in {earlier.Nodes.File} line {earlier.Key.Start.Line}.");
                sections[key] = (nodes, keyNode, value);
            }
        }
        if (first is null) throw new BotDefinitionException(name, 0, 0, "the bot folder holds no .yaml file.");

        (YamlNodes Nodes, YamlNode Value) Need(string key) =>
            sections.TryGetValue(key, out var s) ? (s.Nodes, s.Value) : throw new BotDefinitionException(first.File, 1, 1, $"the bot has no '{key}' section (in any file).");

        var persona = ReadPersona(Need("persona"));
        var settings = sections.TryGetValue("settings", out var st) ? ReadSettings(st.Nodes, st.Value) : new BotSettings();
        var messages = sections.TryGetValue("messages", out var ms) ? ReadMessages(ms.Nodes, ms.Value) : ReadMessages(null, null);
        var intents = ReadIntents(Need("intents"));
        var entities = sections.TryGetValue("entities", out var es) ? ReadEntities(es.Nodes, es.Value) : new Dictionary<string, EntityDefinition>();
        var verification = sections.TryGetValue("verification", out var vs) ? ReadVerification(vs.Nodes, vs.Value) : null;
        var flows = ReadFlows(Need("flows"), intents, entities, verification);
        return new BotDefinition
        {
            Name = name,
            Folder = folder,
            Persona = persona,
            Settings = settings,
            Messages = messages,
            Intents = intents,
            Entities = entities,
            Flows = flows,
            Verification = verification,
        };
    }

    private static VerificationDefinition ReadVerification(YamlNodes nodes, YamlNode value)
    {
        var m = nodes.Map(value, "verification");
        m.Allow("method", "prompt", "reprompt", "failed", "step", "digits", "http", "demo", "lifetime");
        Template Text(string key, bool required)
        {
            var text = required ? m.ReqStr(key) : m.Str(key);
            var t = Template.Parse(text ?? "");
            foreach (var r in t.References)
                if (r is not ("persona.name" or "persona.brand"))
                    throw nodes.Error(m.Get(key)!, $"verification.{key} may only refer to persona.name and persona.brand, not '{r}'.");
            return t;
        }
        var (min, max) = (4, 8);
        if (m.Str("digits") is { } d)
        {
            var parts = d.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out min)
                || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out max) || min < 4 || max > 8 || min > max)
                throw nodes.Error(m.Get("digits")!, $"verification.digits '{d}' must be a length like 4 or a range like 4-6 (4 to 8 digits, what is tokenized as a secret).");
        }
        var lifetime = TimeSpan.FromHours(24);
        if (m.Str("lifetime") is { } l && !TryLifetime(l, out lifetime))
            throw nodes.Error(m.Get("lifetime")!, $"verification.lifetime '{l}' must look like 30m, 12h or 7d (1 minute to 30 days).");
        var demo = m.Str("demo");
        if (demo is not null && (demo.Length < min || demo.Length > max || !demo.All(char.IsAsciiDigit)))
            throw nodes.Error(m.Get("demo")!, $"verification.demo must be {min} to {max} digits.");
        return new VerificationDefinition
        {
            Method = m.ReqStr("method"),
            Prompt = Text("prompt", true),
            Reprompt = m.Str("reprompt") is null ? null : Text("reprompt", false),
            Failed = m.Str("failed") is null ? Template.Parse("That code doesn't match.") : Text("failed", false),
            Step = m.Str("step") is null ? Template.Parse("checking it's you") : Text("step", false),
            MinDigits = min,
            MaxDigits = max,
            Http = m.Get("http") is { } hn ? ReadHttp(nodes, hn, "verification.http") is { Method: "POST" } post ? post
                : throw nodes.Error(hn, "verification.http must POST (the code goes in the body, never in a URL).") : null,
            Demo = demo,
            Lifetime = lifetime,
        };
    }

    private static bool TryLifetime(string s, out TimeSpan value)
    {
        value = default;
        s = s.Trim();
        if (s.Length < 2 || !double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
        value = s[^1] switch { 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => TimeSpan.Zero };
        return value >= TimeSpan.FromMinutes(1) && value <= TimeSpan.FromDays(30);
    }

    private static HttpActionDefinition ReadHttp(YamlNodes nodes, YamlNode node, string where)
    {
        var hm = nodes.Map(node, where);
        hm.Allow("path", "method", "timeout");
        var method = (hm.Str("method") ?? "POST").ToUpperInvariant();
        if (method is not ("GET" or "POST")) throw nodes.Error(hm.Get("method")!, $"{where}.method must be GET or POST.");
        var timeout = TimeSpan.FromSeconds(3);
        if (hm.Str("timeout") is { } ts && !TryDuration(ts, out timeout))
            throw nodes.Error(hm.Get("timeout")!, $"{where}.timeout '{ts}' must look like 500ms or 2s (at most 30s).");
        return new HttpActionDefinition { Path = hm.ReqStr("path"), Method = method, Timeout = timeout };
    }

    private static string Clean(string reason) => reason.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    private static Persona ReadPersona((YamlNodes Nodes, YamlNode Value) s)
    {
        var m = s.Nodes.Map(s.Value, "persona");
        m.Allow("name", "brand", "tone", "greeting", "signOff", "prefer", "avoid", "voiceNotice", "voice");
        var avoid = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (m.Get("avoid") is { } a)
            foreach (var (word, _, use) in s.Nodes.Map(a, "persona.avoid").Entries)
                avoid[word] = s.Nodes.Scalar(use, $"persona.avoid.{word}");
        return new Persona
        {
            Name = m.ReqStr("name"),
            Brand = m.ReqStr("brand"),
            Tone = m.Str("tone") ?? "",
            Greeting = PersonaTemplate(s.Nodes, m, "greeting", required: true)!,
            SignOff = PersonaTemplate(s.Nodes, m, "signOff", required: true)!,
            Prefer = m.Strings("prefer"),
            Avoid = avoid,
            VoiceNotice = PersonaTemplate(s.Nodes, m, "voiceNotice", required: false),
            Voice = ReadVoiceName(s.Nodes, m),
        };
    }

    /// <summary>A voice name as synthesisers spell them ("slt", "en-us", "cmu_us_rms", "af_heart"): no spaces or markup.</summary>
    private static string? ReadVoiceName(YamlNodes nodes, YamlMap m)
    {
        if (m.Str("voice") is not { } voice) return null;
        if (!VoiceName().IsMatch(voice))
            throw nodes.Error(m.Get("voice")!, $"persona.voice '{voice}' must be a voice name: up to 64 letters, digits, '.', '_', ':' or '-', e.g. slt.");
        return voice;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    private static partial Regex VoiceName();

    private static Template? PersonaTemplate(YamlNodes nodes, YamlMap m, string key, bool required, params string[] extra)
    {
        var text = required ? m.ReqStr(key) : m.Str(key);
        if (text is null) return null;
        var t = Template.Parse(text);
        foreach (var r in t.References)
            if (r is not ("persona.name" or "persona.brand") && !extra.Contains(r))
                throw nodes.Error(m.Get(key)!, $"{m.What}.{key} refers to unknown '{{{r}}}' (allowed here: persona.name, persona.brand{string.Concat(extra.Select(x => ", " + x))}).");
        return t;
    }

    private static BotSettings ReadSettings(YamlNodes nodes, YamlNode node)
    {
        var m = nodes.Map(node, "settings");
        m.Allow("confidenceThreshold", "maxMisses", "onMaxMisses", "timeZone", "backend");
        var defaults = new BotSettings();
        var threshold = m.Number("confidenceThreshold") ?? defaults.ConfidenceThreshold;
        if (threshold is < 0 or > 1) throw nodes.Error(m.Get("confidenceThreshold")!, "settings.confidenceThreshold must be between 0 and 1.");
        var misses = m.Number("maxMisses") ?? defaults.MaxMisses;
        if (misses < 1 || misses != Math.Floor(misses)) throw nodes.Error(m.Get("maxMisses")!, "settings.maxMisses must be a whole number of at least 1.");
        var onMax = defaults.OnMaxMisses;
        if (m.Str("onMaxMisses") is { } o && !BuiltinActionNames.TryParse(o, out onMax))
            throw nodes.Error(m.Get("onMaxMisses")!, $"settings.onMaxMisses must be hand-to-agent or escalate-to-voice, not '{o}'.");
        var zone = m.Str("timeZone") ?? defaults.TimeZone;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            throw nodes.Error(m.Get("timeZone")!, $"settings.timeZone '{zone}' is not a known time zone (use an IANA name such as Asia/Kolkata).");
        var backend = m.Str("backend");
        if (!string.IsNullOrEmpty(backend) && !Uri.TryCreate(backend, UriKind.Absolute, out _))
            throw nodes.Error(m.Get("backend")!, $"settings.backend '{backend}' is not an absolute URL.");
        return new BotSettings { ConfidenceThreshold = threshold, MaxMisses = (int)misses, OnMaxMisses = onMax, TimeZone = zone, Backend = backend };
    }

    private static readonly Dictionary<string, string> DefaultMessages = new()
    {
        ["help"] = "I can help with the things listed below. You can also say 'start over', 'cancel' or 'talk to a person' at any time.",
        ["fallback"] = "Sorry, I didn't get that.",
        ["cancelled"] = "Okay, I've cancelled that. Is there anything else I can help with?",
        ["startOver"] = "Okay, let's start again.",
        ["handoff"] = "I'm passing you to a colleague now. They'll see everything we've covered, so you won't need to repeat it.",
        ["callUs"] = "Let's talk it through on the phone. Call us and we'll pick up right where we left off.",
        ["alreadyOnCall"] = "You're already on the phone with us, so let's carry on right here.",
        ["nothingToRepeat"] = "I haven't said anything yet. How can I help?",
        ["nothingToCancel"] = "There's nothing open to cancel. How can I help?",
        ["resume"] = "I see we were {step} on your {channel}. Let's finish that here.",
        ["changeWhat"] = "No problem. What would you like to change?",
        ["thanks"] = "You're welcome.",
    };

    private static BotMessages ReadMessages(YamlNodes? nodes, YamlNode? node)
    {
        var values = new Dictionary<string, Template>(StringComparer.Ordinal);
        YamlMap? m = null;
        if (nodes is not null && node is not null)
        {
            m = nodes.Map(node, "messages");
            m.Allow([.. DefaultMessages.Keys]);
        }
        foreach (var key in DefaultMessages.Keys)
        {
            Template t;
            if (m is not null && m.Get(key) is not null)
                t = PersonaTemplate(nodes!, m, key, required: true, key == "resume" ? ["step", "channel"] : [])!;
            else t = Template.Parse(DefaultMessages[key]);
            values[key] = t;
        }
        return new BotMessages
        {
            Help = values["help"],
            Fallback = values["fallback"],
            Cancelled = values["cancelled"],
            StartOver = values["startOver"],
            Handoff = values["handoff"],
            CallUs = values["callUs"],
            AlreadyOnCall = values["alreadyOnCall"],
            NothingToRepeat = values["nothingToRepeat"],
            NothingToCancel = values["nothingToCancel"],
            Resume = values["resume"],
            ChangeWhat = values["changeWhat"],
            Thanks = values["thanks"],
        };
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex NamePattern();

    private static string Name(YamlNodes nodes, YamlMap m, string what)
    {
        var name = m.ReqStr("name");
        if (!NamePattern().IsMatch(name)) throw nodes.Error(m.Get("name")!, $"{what} name '{name}' must be lowercase letters, digits and underscores, starting with a letter.");
        return name;
    }

    private static List<IntentDefinition> ReadIntents((YamlNodes Nodes, YamlNode Value) s)
    {
        var nodes = s.Nodes;
        var list = new List<IntentDefinition>();
        var seen = new Dictionary<string, IntentDefinition>(StringComparer.Ordinal);
        foreach (var (item, i) in nodes.Seq(s.Value, "intents").Select((n, i) => (n, i)))
        {
            var m = nodes.Map(item, $"intents[{i}]");
            m.Allow("name", "examples", "reply");
            var name = Name(nodes, m, "intent");
            if (seen.TryGetValue(name, out var earlier))
                throw nodes.Error(m.Get("name")!, $"duplicate intent '{name}' (first defined in {earlier.File} line {earlier.Line}).");
            var examples = m.Strings("examples").Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
            if (examples.Count == 0) throw nodes.Error(m.Node, $"intent '{name}' needs at least one example.");
            var dupe = examples.GroupBy(e => e, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (dupe is not null) throw nodes.Error(m.Get("examples")!, $"intent '{name}' lists the example '{dupe.Key}' twice.");
            var intent = new IntentDefinition
            {
                Name = name,
                Examples = examples,
                Reply = PersonaTemplate(nodes, m, "reply", required: false),
                File = nodes.File,
                Line = (int)m.Get("name")!.Start.Line,
            };
            seen[name] = intent;
            list.Add(intent);
        }
        foreach (var intent in list)
            foreach (var example in intent.Examples)
                foreach (var other in list.Where(o => o != intent && o.Examples.Contains(example, StringComparer.OrdinalIgnoreCase)))
                    throw new BotDefinitionException(other.File, other.Line, 1, $"the example '{example}' is given for both intent '{intent.Name}' and intent '{other.Name}'.");
        if (list.Count < 2) throw nodes.Error(s.Value, "a bot needs at least two intents.");
        return list;
    }

    private static Dictionary<string, EntityDefinition> ReadEntities(YamlNodes nodes, YamlNode node)
    {
        var result = new Dictionary<string, EntityDefinition>(StringComparer.Ordinal);
        foreach (var (item, i) in nodes.Seq(node, "entities").Select((n, i) => (n, i)))
        {
            var m = nodes.Map(item, $"entities[{i}]");
            m.Allow("name", "values", "pattern", "hint");
            var name = Name(nodes, m, "entity");
            if (BuiltinSlotTypes.All.Contains(name)) throw nodes.Error(m.Get("name")!, $"entity '{name}' has the name of a built-in slot type.");
            if (result.ContainsKey(name)) throw nodes.Error(m.Get("name")!, $"duplicate entity '{name}'.");
            var values = m.Get("values");
            var pattern = m.Str("pattern");
            if ((values is null) == (pattern is null)) throw nodes.Error(m.Node, $"entity '{name}' needs exactly one of 'values' (an enumeration) or 'pattern' (a regular expression).");
            if (pattern is not null)
            {
                Regex regex;
                try
                {
                    regex = new Regex(@"(?<![\p{L}\p{N}])(?:" + pattern + @")(?![\p{L}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
                }
                catch (ArgumentException e)
                {
                    throw nodes.Error(m.Get("pattern")!, $"entity '{name}' has an invalid pattern: {e.Message}");
                }
                result[name] = new EntityDefinition { Name = name, Kind = EntityKind.Pattern, Pattern = regex, Hint = m.Str("hint") };
                continue;
            }
            var list = new List<EnumValue>();
            var synonyms = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (v, j) in nodes.Seq(values!, $"entity '{name}' values").Select((n, j) => (n, j)))
            {
                EnumValue value;
                if (v is YamlScalarNode)
                {
                    var text = nodes.Scalar(v, $"entity '{name}' values[{j}]");
                    value = new EnumValue(text, text, [text]);
                }
                else
                {
                    var vm = nodes.Map(v, $"entity '{name}' values[{j}]");
                    vm.Allow("value", "display", "synonyms");
                    var id = vm.ReqStr("value");
                    var display = vm.Str("display") ?? id;
                    value = new EnumValue(id, display, [id, display, .. vm.Strings("synonyms")]);
                }
                foreach (var syn in value.Synonyms)
                    if (synonyms.TryGetValue(syn, out var owner) && owner != value.Value)
                        throw nodes.Error(v, $"entity '{name}': the synonym '{syn}' belongs to both '{owner}' and '{value.Value}'.");
                    else synonyms[syn] = value.Value;
                list.Add(value);
            }
            if (list.Count == 0) throw nodes.Error(values!, $"entity '{name}' needs at least one value.");
            result[name] = new EntityDefinition { Name = name, Kind = EntityKind.Enumeration, Values = list, Hint = m.Str("hint") };
        }
        return result;
    }

    private static List<FlowDefinition> ReadFlows((YamlNodes Nodes, YamlNode Value) s, List<IntentDefinition> intents, Dictionary<string, EntityDefinition> entities,
        VerificationDefinition? verification)
    {
        var nodes = s.Nodes;
        var flows = new List<FlowDefinition>();
        var intentNames = intents.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (item, i) in nodes.Seq(s.Value, "flows").Select((n, i) => (n, i)))
        {
            var m = nodes.Map(item, $"flows[{i}]");
            m.Allow("name", "intent", "title", "goal", "cancel", "slots", "confirm", "action", "verify");
            var name = Name(nodes, m, "flow");
            if (flows.Any(f => f.Name == name)) throw nodes.Error(m.Get("name")!, $"duplicate flow '{name}'.");
            var intent = m.ReqStr("intent");
            if (!intentNames.Contains(intent)) throw nodes.Error(m.Get("intent")!, $"flow '{name}' is started by unknown intent '{intent}'.");
            if (IntentDefinition.Global.Contains(intent)) throw nodes.Error(m.Get("intent")!, $"flow '{name}' cannot be started by the global intent '{intent}'.");
            if (flows.FirstOrDefault(f => f.Intent == intent) is { } other) throw nodes.Error(m.Get("intent")!, $"intent '{intent}' already starts flow '{other.Name}'.");

            var slots = new List<SlotDefinition>();
            var slotMaps = new List<(SlotDefinition Slot, YamlMap Map)>();
            if (m.Get("slots") is { } slotsNode)
                foreach (var (sn, j) in nodes.Seq(slotsNode, $"flow '{name}' slots").Select((n, j) => (n, j)))
                {
                    var sm = nodes.Map(sn, $"flow '{name}' slots[{j}]");
                    sm.Allow("name", "type", "prompt", "reprompt", "invalid", "step", "options", "offerValues", "future", "min", "max", "secret", "remember");
                    var slotName = Name(nodes, sm, "slot");
                    if (slots.Any(x => x.Name == slotName)) throw nodes.Error(sm.Get("name")!, $"flow '{name}' has two slots named '{slotName}'.");
                    var type = sm.ReqStr("type");
                    if (!BuiltinSlotTypes.All.Contains(type) && !entities.ContainsKey(type))
                        throw nodes.Error(sm.Get("type")!, $"slot '{slotName}' of flow '{name}' has unknown type '{type}' (built-in: {string.Join(", ", BuiltinSlotTypes.All)}; entities: {string.Join(", ", entities.Keys)}).");
                    var offer = sm.Bool("offerValues");
                    if (offer && (!entities.TryGetValue(type, out var e) || e.Kind != EntityKind.Enumeration))
                        throw nodes.Error(sm.Get("offerValues")!, $"slot '{slotName}': offerValues needs an enumeration type.");
                    var slot = new SlotDefinition
                    {
                        Name = slotName,
                        Type = type,
                        Prompt = Template.Parse(sm.ReqStr("prompt")),
                        Reprompt = sm.Str("reprompt") is { } r ? Template.Parse(r) : null,
                        Invalid = sm.Str("invalid") is { } inv ? Template.Parse(inv) : null,
                        Step = sm.Str("step") is { } st ? Template.Parse(st) : null,
                        Options = sm.Strings("options"),
                        OfferValues = offer,
                        Future = sm.Bool("future"),
                        Min = sm.Number("min"),
                        Max = sm.Number("max"),
                        Secret = sm.Bool("secret"),
                        Remember = sm.Bool("remember"),
                    };
                    slots.Add(slot);
                    slotMaps.Add((slot, sm));
                }
            var slotNames = slots.Select(x => x.Name).ToHashSet(StringComparer.Ordinal);

            void Check(YamlMap owner, string key, Template? t, bool allowResult)
            {
                if (t is null) return;
                foreach (var r in t.References)
                {
                    if (slotNames.Contains(r) || r is "persona.name" or "persona.brand") continue;
                    if (allowResult && r.StartsWith("result.", StringComparison.Ordinal)) continue;
                    throw nodes.Error(owner.Get(key)!, $"flow '{name}' refers to unknown slot '{r}' in {key} (its slots: {(slotNames.Count == 0 ? "none" : string.Join(", ", slotNames))}).");
                }
            }

            var goal = Template.Parse(m.ReqStr("goal"));
            Check(m, "goal", goal, false);
            var cancelPrompt = m.Str("cancel") is { } cp ? Template.Parse(cp) : null;
            Check(m, "cancel", cancelPrompt, false);
            foreach (var (slot, sm) in slotMaps)
            {
                Check(sm, "prompt", slot.Prompt, false);
                Check(sm, "reprompt", slot.Reprompt, false);
                Check(sm, "invalid", slot.Invalid, false);
                Check(sm, "step", slot.Step, false);
            }

            ConfirmDefinition? confirm = null;
            if (m.Get("confirm") is { } cn)
            {
                var cm = nodes.Map(cn, $"flow '{name}' confirm");
                cm.Allow("prompt", "step");
                confirm = new ConfirmDefinition { Prompt = Template.Parse(cm.ReqStr("prompt")), Step = cm.Str("step") is { } cs ? Template.Parse(cs) : null };
                Check(cm, "prompt", confirm.Prompt, false);
                Check(cm, "step", confirm.Step, false);
            }

            var verify = m.Str("verify") switch
            {
                null or "false" => false,
                "true" => true,
                var bad => throw nodes.Error(m.Get("verify")!, $"flow '{name}': verify must be true or false, not '{bad}'."),
            };
            if (verify && verification is null)
                throw nodes.Error(m.Get("verify")!, $"flow '{name}' asks for verification but the bot has no 'verification' section.");

            var am = nodes.Map(m.Required("action"), $"flow '{name}' action");
            am.Allow("builtin", "http", "success", "failure", "confirmation", "demo", "next");
            var builtin = BuiltinAction.None;
            if (am.Str("builtin") is { } b && !BuiltinActionNames.TryParse(b, out builtin))
                throw nodes.Error(am.Get("builtin")!, $"flow '{name}': unknown built-in action '{b}' (known: hand-to-agent, escalate-to-voice).");
            var http = am.Get("http") is { } hn ? ReadHttp(nodes, hn, "action.http") : null;
            if (builtin != BuiltinAction.None && http is not null)
                throw nodes.Error(am.Node, $"flow '{name}': an action is either built-in or http, not both.");
            var demo = new Dictionary<string, string>(StringComparer.Ordinal);
            if (am.Get("demo") is { } dn)
                foreach (var (k, _, v) in nodes.Map(dn, "action.demo").Entries) demo[k] = nodes.Scalar(v, $"action.demo.{k}");
            var action = new ActionDefinition
            {
                Builtin = builtin,
                Http = http,
                Success = Template.Parse(am.ReqStr("success")),
                Failure = am.Str("failure") is { } fl ? Template.Parse(fl) : null,
                Confirmation = am.Str("confirmation") is { } cf ? Template.Parse(cf) : null,
                Demo = demo,
                Next = am.Strings("next"),
            };
            Check(am, "success", action.Success, true);
            Check(am, "failure", action.Failure, true);
            Check(am, "confirmation", action.Confirmation, true);
            if (action.Confirmation is not null && builtin != BuiltinAction.None)
                throw nodes.Error(am.Get("confirmation")!, $"flow '{name}': a written confirmation belongs to a flow that completes something, not to a built-in action.");
            foreach (var next in action.Next)
                if (!intentNames.Contains(next)) throw nodes.Error(am.Get("next")!, $"flow '{name}': next names unknown intent '{next}'.");
            if (http is null)
            {
                foreach (var r in action.Success.References.Where(r => r.StartsWith("result.", StringComparison.Ordinal)))
                    throw nodes.Error(am.Get("success")!, $"flow '{name}': '{{{r}}}' needs an http action to produce a result.");
                foreach (var r in action.Confirmation?.References.Where(r => r.StartsWith("result.", StringComparison.Ordinal)) ?? [])
                    throw nodes.Error(am.Get("confirmation")!, $"flow '{name}': '{{{r}}}' needs an http action to produce a result.");
            }

            flows.Add(new FlowDefinition
            {
                Name = name,
                Intent = intent,
                Title = m.ReqStr("title"),
                Goal = goal,
                CancelPrompt = cancelPrompt,
                Slots = slots,
                Confirm = confirm,
                Action = action,
                Verify = verify,
                File = nodes.File,
                Line = (int)m.Get("name")!.Start.Line,
            });
        }
        return flows;
    }

    private static bool TryDuration(string s, out TimeSpan value)
    {
        value = default;
        s = s.Trim();
        double n;
        if (s.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(s[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out n)) value = TimeSpan.FromMilliseconds(n);
        else if (s.EndsWith('s') && double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out n)) value = TimeSpan.FromSeconds(n);
        else return false;
        return value > TimeSpan.Zero && value <= TimeSpan.FromSeconds(30);
    }
}
