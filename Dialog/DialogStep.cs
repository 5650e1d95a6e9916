using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Switchboard.Dialog.Definition;
using Switchboard.Dialog.Nlu;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;

namespace Switchboard.Dialog;

/// <summary>Values of <see cref="EphemeralContext.PendingSlot"/> that are not slot names.</summary>
public static class DialogStepMarkers
{
    /// <summary>The flow waits for a yes or no to its confirmation question.</summary>
    public const string Confirm = "@confirm";
    /// <summary>The customer said no to the confirmation: the flow waits to hear what to change.</summary>
    public const string Change = "@change";
    /// <summary>The flow waits for the code of the bot's identity check.</summary>
    public const string Verify = "@verify";
    /// <summary>The customer asked to cancel a flow with filled slots: the flow waits for a yes or no to "cancel …?".</summary>
    public const string Cancel = "@cancel";
}

/// <summary>
/// One turn of the dialog: reads the ephemeral layer (open flow, slots, pending question), decides, changes the layers,
/// and returns the reply. Pure domain code over the grain's state; the grain persists what it changed.
/// </summary>
internal sealed partial class DialogStep
{
    public const string ConfirmMarker = DialogStepMarkers.Confirm;
    public const string ChangeMarker = DialogStepMarkers.Change;
    private const int HistoryLimit = 50;
    private const int MaxInputChars = 2000;

    private readonly BotRuntime _bot;
    private readonly BotDefinition _def;
    private readonly DialogEngineSettings _settings;
    private readonly DialogBackend _backend;
    private readonly ILogger _logger;
    private readonly DialogTurn _turn;
    private readonly EphemeralContext _e;
    private IReadOnlyDictionary<string, string>? _result;
    /// <summary>A slot whose offered options the answer talked about without naming exactly one of them.</summary>
    private SlotDefinition? _unclearOffer;
    /// <summary>The offered options an unclear answer fits (two or more), so the question names only those.</summary>
    private IReadOnlyList<string> _unclearFits = [];
    /// <summary>The options the last clarifying question named, for the slot it asked; answers count within them.</summary>
    private readonly (string? Slot, List<string>? Titles) _narrowed;
    /// <summary>The classifier's best intent this turn, even below its threshold.</summary>
    private string? _guess;
    /// <summary>The language model's validated commands this turn (empty when it was not asked), and the flow open when it was.</summary>
    private IReadOnlyList<Llm.DialogCommand> _modelCommands = [];
    private string? _modelFlow;

    public DialogStep(BotRuntime bot, DialogEngineSettings settings, DialogBackend backend, ILogger logger, DialogTurn turn)
    {
        _bot = bot;
        _def = bot.Definition;
        _settings = settings;
        _backend = backend;
        _logger = logger;
        _turn = turn;
        _e = turn.Ephemeral;
        _narrowed = (_e.PendingSlot, _e.NarrowedOffer);
        _e.NarrowedOffer = null;
    }

    /// <summary>The resume line when this turn continued a flow begun on another channel.</summary>
    public string? ResumeLine { get; private set; }

    public bool IsRepeat { get; private set; }

    /// <summary>The dialog act this turn took: an intent name, or inform, correct, affirm, deny, fallback, ask-slot, unclear-choice.</summary>
    public string? Act { get; private set; }

    /// <summary>The intent a model command stands for; its slot commands are applied by <see cref="ApplyModelSlots"/>.</summary>
    private string? IntentOf(Llm.DialogCommand c) => c.Kind switch
    {
        Llm.DialogCommandKind.StartFlow => _def.Flow(c.Flow)?.Intent,
        Llm.DialogCommandKind.Cancel => "cancel",
        Llm.DialogCommandKind.HandOff => "agent",
        Llm.DialogCommandKind.AnswerDigression => c.Intent,
        _ => null,
    };

    public async Task<EngineReply> RunAsync(CancellationToken ct)
    {
        var flow = _def.Flow(_e.ActiveFlow);
        if (_e.ActiveFlow is not null && flow is null) ClearFlow(); // the bot changed under a stored conversation
        if (flow is not null && _e.FlowChannel is { } earlier && earlier != _turn.Channel)
        {
            ResumeLine = _def.Messages.Resume.Render(r => r switch
            {
                "step" => _e.PendingStep ?? flow.Goal.Render(Lookup),
                "channel" => earlier.ToSpoken(),
                _ => Lookup(r),
            });
            _e.FlowChannel = _turn.Channel;
            _turn.EngineData[EngineDataKeys.SwitchFilled] = string.Join(',', _e.Slots.Keys);
            _turn.EngineData.Remove(EngineDataKeys.SwitchRepeatCounted);
        }

        var input = Input.Read(_turn, MaxInputChars);
        var choice = MatchOption(input);
        if (choice is { } c && c.StartsWith("intent:", StringComparison.Ordinal))
            return await OnIntent(flow, c["intent:".Length..], [], input, ct);

        var text = choice ?? input.Text;
        var entities = _bot.Extractor.Extract(text, _turn.Now);
        // "Yes please, book it" after a reply that offered one next step is that step.
        if (flow is null && choice is null && entities.Any(m => m is { Type: BuiltinSlotTypes.YesNo, Value: "yes" })
            && LastReply.Options(_turn.EngineData).Where(o => o.Id.StartsWith("intent:", StringComparison.Ordinal) && o.Id != "intent:agent").ToList() is [var offered])
            return await OnIntent(null, offered.Id["intent:".Length..], entities, input, ct);
        var global = GlobalIntent(input, choice);
        // The classifier runs only when the answer is not a plain slot value: most turns in a flow just fill the pending slot.
        var pendingSlot = flow?.Slot(_e.PendingSlot);
        var needsIntent = flow is null || pendingSlot is null || pendingSlot.Type == BuiltinSlotTypes.Text
            || !(entities.Any(m => m.Type == pendingSlot.Type) || ChosenFromOffer(pendingSlot, text)) || pendingSlot.Secret || ForeignFlow(flow!, entities) is not null;
        // A yes or no to "shall I confirm / cancel it?" is the answer, not a new intent.
        if (_e.PendingSlot is ConfirmMarker or DialogStepMarkers.Cancel && entities.Any(m => m.Type == BuiltinSlotTypes.YesNo) && !CorrectionCue().IsMatch(text))
            needsIntent = false;
        if (global is null && choice is null && text.Length > 0 && needsIntent)
        {
            var classified = WithoutIdentifiers(text, entities);
            var p = _bot.Classifier.Predict(classified);
            _guess = p.Intent;
            var classifierOk = p.Intent is not null && p.Confidence >= RequiredConfidence(flow, p.Intent);
            // The encoder costs milliseconds: it is asked only where the cheap classifier is unsure (below its threshold,
            // or barely above it: then a confident reading by meaning overrides it).
            if (classifierOk && (_bot.Semantic is null || p.Confidence >= SemanticIntentMatcher.ClassifierSure)) input.Intent = p.Intent;
            else if (_bot.Semantic?.Predict(classified) is { Intent: { } meant } sp
                && SemanticIntentMatcher.Accepts(sp, startsFlow: _def.FlowForIntent(meant) is { IsSideAction: false })
                && (flow is null || meant == flow.Intent || IntentDefinition.Global.Contains(meant) || sp.Confidence >= 0.7))
                input.Intent = meant;
            else if (classifierOk) input.Intent = p.Intent;
            // Last, the deployment's own language model (off by default): its commands were validated against the bot.
            // Its slot commands are applied where the flow is started or filled (ApplyModelSlots), through the engine's own checks.
            else if (_settings.Llm is { } llm && text.Any(char.IsLetter))
            {
                _modelFlow = flow?.Name;
                _modelCommands = await llm.ProposeAsync(_def, text, flow?.Name, _e.PendingSlot, ct);
                if (_modelCommands.Select(IntentOf).FirstOrDefault(i => i is not null) is { } proposed
                    && (flow is null || proposed == flow.Intent || IntentDefinition.Global.Contains(proposed) || _def.FlowForIntent(proposed) is null))
                    input.Intent = proposed;
            }
            // Cancelling throws work away: only a clear cancel counts, never a correction ("make it Delhi") or "DROP TABLE".
            if (input.Intent == "cancel" && (!ClearCancel().IsMatch(text) || CorrectionCue().IsMatch(text))) input.Intent = null;
            if (input.Intent is not null && IntentDefinition.Global.Contains(input.Intent)) global = input.Intent;
        }

        if (flow is null)
        {
            if (global is not null) return await Global(null, global, ct);
            if (input.Intent is not null) return await OnIntent(null, input.Intent, entities, input, ct);
            if (ImpliedFlow(entities, text) is { } implied) return await OnIntent(null, implied.Intent, entities, input, ct);
            if (text.Length == 0 && (_turn.PreviousChannel != _turn.Channel || input.Opening)) return Greeting();
            return await Miss(null, ct);
        }

        if (_e.PendingSlot == DialogStepMarkers.Cancel)
        {
            var answer = choice ?? (global == "cancel" ? "yes" : entities.FirstOrDefault(m => m.Type == BuiltinSlotTypes.YesNo)?.Value);
            if (answer == "yes")
            {
                Act = "affirm";
                CloseFlow(flow, "cancelled");
                return new EngineReply(_def.Messages.Cancelled.Render(Lookup));
            }
            _e.PendingSlot = NextPending(flow);
            if (answer == "no")
            {
                Act = "deny";
                return Join("Okay, let's carry on.", await Advance(flow, ct));
            }
        }
        if (_e.PendingSlot == ConfirmMarker) return await OnConfirm(flow, entities, global, input, choice, ct);
        if (_e.PendingSlot == ChangeMarker) return await OnChange(flow, entities, global, input, choice, ct);
        if (_e.PendingSlot == DialogStepMarkers.Verify) return await OnVerify(flow, global, input, ct);

        var correction = CorrectionCue().IsMatch(text);
        if (global is null && ForeignFlow(flow, entities) is { } other && await Digress(flow, other, entities, input, ct) is { } aside) return aside;
        var (filled, invalid) = Fill(flow, entities, text, _e.PendingSlot, overwrite: correction, allowFreeText: global is null && !correction);
        if (invalid is not null) return await Invalid(flow, invalid, ct);
        if (filled == 0 && global is null && (input.Intent is null || input.Intent == flow.Intent)) filled = ApplyModelSlots(flow);
        if (filled > 0)
        {
            Act ??= "inform";
            _e.ConsecutiveMisses = 0;
            return await Advance(flow, ct);
        }
        // "Morning" with two morning times on offer is an unclear choice, not a greeting: only a flow or global intent wins over it.
        if (_unclearOffer is { } unclear && global is null && (input.Intent is null || input.Intent == flow.Intent || _def.FlowForIntent(input.Intent) is null))
            return await NotOffered(flow, unclear, ct);
        if (global is null && SlotQuestion(flow, text) is { } answerAboutSlot)
        {
            Act = "ask-slot";
            _e.ConsecutiveMisses = 0;
            return Join(answerAboutSlot, await Advance(flow, ct));
        }
        if (global is not null) return await Global(flow, global, ct);
        if (input.Intent is not null && input.Intent != flow.Intent) return await OnIntent(flow, input.Intent, entities, input, ct);
        if (input.Intent == flow.Intent || (text.Length == 0 && (ResumeLine is not null || input.Opening))) return await Advance(flow, ct);
        return await Miss(flow, ct);
    }

    // ---- intents and flows ----

    /// <summary>
    /// Leaving an open flow for another takes more certainty than starting one, and more still on the first turn after a
    /// channel switch, when the customer is most likely picking up where they left off.
    /// </summary>
    private double RequiredConfidence(FlowDefinition? open, string intent)
    {
        var threshold = _def.Settings.ConfidenceThreshold;
        if (open is null || intent == open.Intent || IntentDefinition.Global.Contains(intent) || _def.FlowForIntent(intent) is not { IsSideAction: false }) return threshold;
        return Math.Max(threshold, ResumeLine is null ? 0.7 : 0.9);
    }

    private async Task<EngineReply> OnIntent(FlowDefinition? open, string intent, List<EntityMatch> entities, Input input, CancellationToken ct)
    {
        Act = intent;
        if (IntentDefinition.Global.Contains(intent)) return await Global(open, intent, ct);
        if (_def.FlowForIntent(intent) is { } flow)
        {
            if (flow.IsSideAction) return await RunBuiltin(open, flow, flow.Action.Builtin, flow.Action.Success.Render(Lookup), ct);
            if (open == flow) return await Advance(flow, ct);
            if (open is not null) CloseFlow(open, "abandoned");
            return await StartFlow(flow, entities, input, ct);
        }
        _e.ConsecutiveMisses = 0;
        var definition = _def.Intents.First(i => i.Name == intent);
        if (intent == "goodbye")
            return new EngineReply(_def.Persona.SignOff.Render(Lookup), Action: new ReplyAction(ReplyActionKind.EndConversation));
        if (intent == "greet") return open is null ? Greeting() : await Advance(open, ct);
        var text = definition.Reply?.Render(Lookup) ?? _def.Messages.Thanks.Render(Lookup);
        return open is null ? new EngineReply(text) : Join(text, await Advance(open, ct));
    }

    private async Task<EngineReply> StartFlow(FlowDefinition flow, List<EntityMatch> entities, Input input, CancellationToken ct)
    {
        _e.ActiveFlow = flow.Name;
        _e.Slots.Clear();
        _e.PendingSlot = null;
        _e.PendingStep = null;
        _e.FlowChannel = _turn.Channel;
        _e.ConsecutiveMisses = 0;
        _turn.EngineData.Remove(EngineDataKeys.SwitchFilled);
        foreach (var slot in flow.Slots.Where(s => s.Remember))
            if (_turn.EngineData.TryGetValue(EngineDataKeys.RememberPrefix + slot.Name, out var kept) && kept.Split('\u001f') is [var v, var d])
                _e.Slots[slot.Name] = new SlotValue(v, d, _turn.Channel, _turn.Now);
        var remembered = _e.Slots.Keys.ToHashSet(StringComparer.Ordinal);
        Fill(flow, entities, input.Text, pending: null, overwrite: false, allowFreeText: false);
        // The model's reading of which value is for which slot beats the engine's guess by position in this same message.
        ApplyModelSlots(flow, guessedNow: _e.Slots.Keys.Where(k => !remembered.Contains(k)).ToHashSet(StringComparer.Ordinal));
        return await Advance(flow, ct);
    }

    /// <summary>
    /// Applies the language model's slot commands for <paramref name="flow"/> (validated by the generator: a slot of the
    /// flow, not secret, a value the customer said word for word). The model only says which slot the words are for: the
    /// value is made by the engine's own extractor and offer resolver from those words and checked like any other (type,
    /// the offered options, future dates, bounds), so a value the customer did not give or choose is never taken. A set
    /// command fills an empty slot (or one the engine only guessed by position in this same message, <paramref name="guessedNow"/>);
    /// a correct command overwrites, and what was offered for the old value is asked again.
    /// </summary>
    private int ApplyModelSlots(FlowDefinition flow, HashSet<string>? guessedNow = null)
    {
        if (_modelCommands.Count == 0) return 0;
        var filled = 0;
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var filledNow = new HashSet<string>(StringComparer.Ordinal);
        var (unclear, unclearFits) = (_unclearOffer, _unclearFits);
        var target = _modelFlow;
        foreach (var c in _modelCommands)
        {
            if (c.Kind == Llm.DialogCommandKind.StartFlow) target = c.Flow;
            if (c.Kind is not (Llm.DialogCommandKind.SetSlot or Llm.DialogCommandKind.CorrectSlot) || target != flow.Name
                || flow.Slot(c.Slot) is not { Secret: false } slot || string.IsNullOrWhiteSpace(c.Value) || filledNow.Contains(slot.Name))
                continue;
            var had = _e.Slots.TryGetValue(slot.Name, out var current);
            var guessed = guessedNow?.Contains(slot.Name) == true;
            if (had && !guessed && c.Kind == Llm.DialogCommandKind.SetSlot) continue;
            var match = Candidate(slot, _bot.Extractor.Extract(c.Value, _turn.Now), [], c.Value, isPending: true, allowFreeText: true);
            if (match is null || !Valid(slot, match) || (had && current!.Value == match.Value)) continue;
            _e.Slots[slot.Name] = new SlotValue(match.Value, match.Display, _turn.Channel, _turn.Now);
            filled++;
            filledNow.Add(slot.Name);
            if (had && !guessed)
            {
                Act = "correct";
                changed.Add(slot.Name);
            }
        }
        (_unclearOffer, _unclearFits) = (unclear, unclearFits); // the model's words are no answer to the offer the customer was asked about
        AskAgainWhatWasOfferedFor(flow, changed, filledNow);
        _modelCommands = [];
        return filled;
    }

    /// <summary>Checks identity when the flow needs it, then asks the first empty slot, or confirms, or acts when all are filled.</summary>
    private async Task<EngineReply> Advance(FlowDefinition flow, CancellationToken ct)
    {
        if (flow.Verify && !IsVerified()) return AskVerification(reprompt: false);
        var next = flow.Slots.FirstOrDefault(s => !_e.Slots.ContainsKey(s.Name));
        if (next is not null) return Ask(flow, next, reprompt: false);
        if (flow.Confirm is { } confirm)
        {
            SetPending(ConfirmMarker, (confirm.Step ?? flow.Goal).Render(Lookup), secret: false);
            return new EngineReply(confirm.Prompt.Render(Lookup), ReplyStyle.Confirmation, [new ReplyOption("yes", "Yes"), new ReplyOption("no", "No")]);
        }
        return await Perform(flow, ct);
    }

    /// <summary>
    /// The text the classifier sees: identifiers (plates, flight numbers, booking references) removed, since their letters
    /// and digits say nothing about the intent and drown the words that do ("brake check for MH12AB1234 please").
    /// </summary>
    private string WithoutIdentifiers(string text, List<EntityMatch> entities)
    {
        var ids = entities.Where(m => m.Length > 0 && m.End <= text.Length
            && (m.Type == BuiltinSlotTypes.BookingReference || (_def.Entities.TryGetValue(m.Type, out var d) && d.Pattern is not null)))
            .OrderByDescending(m => m.Start).ToList();
        if (ids.Count == 0) return text;
        var sb = new System.Text.StringBuilder(text);
        foreach (var m in ids) sb.Remove(m.Start, m.Length).Insert(m.Start, ' ');
        var left = sb.ToString().Trim();
        return left.Length == 0 ? text : left;
    }

    /// <summary>
    /// "Brake check please": when the classifier is unsure, a value of the bot's own entities that only one flow asks
    /// for names that flow.
    /// </summary>
    private FlowDefinition? ImpliedFlow(List<EntityMatch> entities, string text)
    {
        var values = entities.Where(m => _def.Entities.ContainsKey(m.Type)).ToList();
        // "What's the weather in Delhi" names a city but is not about a flight: only the value and a word or two, or the
        // classifier's own (unsure) guess, make it a request.
        var rest = text;
        foreach (var m in values.Where(m => m.Length > 0 && m.End <= text.Length).OrderByDescending(m => m.Start)) rest = rest.Remove(m.Start, m.Length);
        var shortRequest = rest.Split([' ', ',', '.', '!', '?'], StringSplitOptions.RemoveEmptyEntries).Length <= 2;
        var owners = values
            .Select(m => _def.Flows.Where(f => !f.IsSideAction && f.Slots.Any(s => s.Type == m.Type)).ToList())
            .Where(fs => fs.Count == 1).Select(fs => fs[0]).Distinct().ToList();
        return owners is [var only] && (shortRequest || _guess == only.Intent) ? only : null;
    }

    /// <summary>
    /// "Is SW 123 on time today?" in the middle of a rebooking: the utterance holds a value only another flow asks for
    /// (a flight number), so it is about that flow, not an answer to the pending question.
    /// </summary>
    private FlowDefinition? ForeignFlow(FlowDefinition open, List<EntityMatch> entities)
    {
        var foreign = entities.Where(m => _def.Entities.ContainsKey(m.Type) && open.Slots.All(s => s.Type != m.Type)).ToList();
        if (foreign.Count == 0) return null;
        var owners = foreign.Select(m => _def.Flows.Where(f => f != open && !f.IsSideAction && f.Slots.Any(s => s.Type == m.Type)).ToList())
            .Where(fs => fs.Count == 1).Select(fs => fs[0]).Distinct().ToList();
        return owners.Count == 1 ? owners[0] : null;
    }

    /// <summary>
    /// Runs another flow as an aside when this one utterance completes it (a status question), then asks the open flow's
    /// pending question once; the open flow and its slots are untouched. Null when the aside needs more than this turn.
    /// </summary>
    private async Task<EngineReply?> Digress(FlowDefinition open, FlowDefinition other, List<EntityMatch> entities, Input input, CancellationToken ct)
    {
        var saved = (_e.ActiveFlow, Slots: new Dictionary<string, SlotValue>(_e.Slots), _e.PendingSlot, _e.PendingStep, _e.FlowChannel, _e.ConsecutiveMisses);
        var historyCount = _turn.Intent.History.Count;
        var data = new Dictionary<string, string>(_turn.EngineData);
        var reply = await StartFlow(other, entities, input, ct);
        var completed = reply.Completed is not null;
        if (!completed)
        {
            // Not answerable in one turn: undo the aside completely and treat the utterance as usual.
            _turn.EngineData.Clear();
            foreach (var kv in data) _turn.EngineData[kv.Key] = kv.Value;
            if (_turn.Intent.History.Count > historyCount) _turn.Intent.History.RemoveRange(historyCount, _turn.Intent.History.Count - historyCount);
        }
        (_e.ActiveFlow, _e.PendingSlot, _e.PendingStep, _e.FlowChannel, _e.ConsecutiveMisses) = (saved.ActiveFlow, saved.PendingSlot, saved.PendingStep, saved.FlowChannel, saved.ConsecutiveMisses);
        _e.Slots.Clear();
        foreach (var kv in saved.Slots) _e.Slots[kv.Key] = kv.Value;
        if (!completed)
        {
            Act = null;
            return null;
        }
        Act = other.Intent;
        var resume = await Advance(open, ct);
        return resume with { Text = reply.Text + " " + resume.Text };
    }

    private bool ChosenFromOffer(SlotDefinition slot, string text) =>
        OfferedNow(slot, OptionsFor(slot)) is { Count: > 0 } options && OfferResolver.Resolve(options.Select(o => o.Title).ToList(), text, pending: true).Outcome == OfferOutcome.Chosen;

    /// <summary>What the flow waits on when nothing else is pending: its first empty slot, else the confirmation.</summary>
    private string? NextPending(FlowDefinition flow) =>
        flow.Slots.FirstOrDefault(s => !_e.Slots.ContainsKey(s.Name))?.Name ?? (flow.Confirm is null ? null : ConfirmMarker);

    /// <summary>
    /// An answer about the offer that names none of it, or more than one: the offer again, nothing guessed. An answer that
    /// fits some of the options ("morning" with 9:00 AM and 11:30 AM on offer) is asked about just those.
    /// </summary>
    private async Task<EngineReply> NotOffered(FlowDefinition flow, SlotDefinition slot, CancellationToken ct)
    {
        Act = "unclear-choice";
        if (++_e.ConsecutiveMisses >= _def.Settings.MaxMisses) return await TooManyMisses(flow, ct);
        var options = OptionsFor(slot);
        var fitting = options.Where(o => _unclearFits.Contains(o.Title)).ToList();
        if (fitting.Count > 1 && fitting.Count < options.Count)
        {
            SetPending(slot.Name, (slot.Step ?? flow.Goal).Render(Lookup), slot.Secret);
            _e.NarrowedOffer = fitting.Select(o => o.Title).ToList();
            var either = string.Join(", ", fitting.Take(fitting.Count - 1).Select(o => o.Title)) + " or " + fitting[^1].Title;
            return new EngineReply($"Did you mean {either}?", fitting.Count <= 3 ? ReplyStyle.QuickReplies : ReplyStyle.List, fitting);
        }
        var list = options.Count == 1 ? options[0].Title : string.Join(", ", options.Take(options.Count - 1).Select(o => o.Title)) + " or " + options[^1].Title;
        SetPending(slot.Name, (slot.Step ?? flow.Goal).Render(Lookup), slot.Secret);
        return new EngineReply($"I can offer {list}. Which one would you like?", options.Count <= 3 ? ReplyStyle.QuickReplies : ReplyStyle.List, options);
    }

    /// <summary>"What's my booking ref again?": the value of a filled slot the question names, in the customer's words.</summary>
    private string? SlotQuestion(FlowDefinition flow, string text)
    {
        var q = SlotQuestionCue().Match(text);
        if (!q.Success) return null;
        var asked = q.Groups[1].Value.ToLowerInvariant();
        foreach (var slot in flow.Slots.Where(s => _e.Slots.ContainsKey(s.Name) && !s.Secret))
        {
            var words = slot.Name.Split('_');
            var typeWords = Humanize(slot.Type).Split(' ');
            if (words.All(w => asked.Contains(w, StringComparison.Ordinal)) || typeWords.All(w => asked.Contains(w, StringComparison.Ordinal))
                || (words.Length > 1 && asked.Contains(words[0], StringComparison.Ordinal) && asked.Contains(words[1][..Math.Min(3, words[1].Length)], StringComparison.Ordinal)))
                return $"Your {Humanize(slot.Name).Replace("ref", "reference", StringComparison.Ordinal)} is {_e.Slots[slot.Name].Display ?? _e.Slots[slot.Name].Value}.";
        }
        return null;
    }

    private EngineReply Ask(FlowDefinition flow, SlotDefinition slot, bool reprompt)
    {
        SetPending(slot.Name, (slot.Step ?? flow.Goal).Render(Lookup), slot.Secret);
        CountRepeat(slot.Name);
        var text = (reprompt ? slot.Reprompt ?? slot.Prompt : slot.Prompt).Render(Lookup);
        var options = OptionsFor(slot);
        return options.Count == 0
            ? new EngineReply(text)
            : new EngineReply(text, options.Count <= 3 ? ReplyStyle.QuickReplies : ReplyStyle.List, options);
    }

    /// <summary>
    /// What the customer is choosing from now: after a clarifying question about this slot ("Did you mean 9:00 AM or
    /// 11:30 AM?"), only the options it named, so "the second one" is 11:30 AM and "the last one" is not 3:00 PM.
    /// </summary>
    private List<ReplyOption> OfferedNow(SlotDefinition slot, List<ReplyOption> options)
    {
        if (_narrowed.Titles is not { Count: > 1 } titles || _narrowed.Slot != slot.Name) return options;
        var narrowed = options.Where(o => titles.Contains(o.Title)).ToList();
        return narrowed.Count > 1 ? narrowed : options;
    }

    private List<ReplyOption> OptionsFor(SlotDefinition slot)
    {
        if (slot.OfferValues && _def.Entities.TryGetValue(slot.Type, out var entity))
            return entity.Values.Take(10).Select(v => new ReplyOption(v.Value, v.Display)).ToList();
        return slot.Options.Select(o => new ReplyOption(o, o)).ToList();
    }

    private async Task<EngineReply> OnConfirm(FlowDefinition flow, List<EntityMatch> entities, string? global, Input input, string? choice, CancellationToken ct)
    {
        var (corrected, _) = Fill(flow, entities, input.Text, pending: null, overwrite: true, allowFreeText: false);
        if (corrected > 0)
        {
            Act = "correct";
            return await Advance(flow, ct);
        }
        var answer = choice ?? entities.FirstOrDefault(m => m.Type == BuiltinSlotTypes.YesNo)?.Value;
        if (answer == "yes") { Act = "affirm"; return await Perform(flow, ct); }
        if (answer == "no") { Act = "deny"; return AskWhatToChange(flow); }
        if (global is not null) return await Global(flow, global, ct);
        if (input.Intent is not null && input.Intent != flow.Intent) return await OnIntent(flow, input.Intent, entities, input, ct);
        if (input.Text.Length == 0 && (ResumeLine is not null || input.Opening)) return await Advance(flow, ct);
        return await Miss(flow, ct);
    }

    // ---- identity check ----

    /// <summary>Passed here or on any other channel (the system metadata layer says so), and not older than the bot's lifetime for it.</summary>
    private bool IsVerified() =>
        _turn.System.Verification is { Verified: true, VerifiedAt: { } at } && _turn.Now - at < _def.Verification!.Lifetime;

    private EngineReply AskVerification(bool reprompt)
    {
        var v = _def.Verification!;
        SetPending(DialogStepMarkers.Verify, v.Step.Render(Lookup), secret: true);
        return new EngineReply((reprompt ? v.Reprompt ?? v.Prompt : v.Prompt).Render(Lookup));
    }

    private async Task<EngineReply> OnVerify(FlowDefinition flow, string? global, Input input, CancellationToken ct)
    {
        var v = _def.Verification!;
        var token = SecretToken(input.Text);
        if (token is null)
        {
            if (global is not null) return await Global(flow, global, ct);
            if (input.Intent is not null && input.Intent != flow.Intent && _def.FlowForIntent(input.Intent) is not null)
                return await OnIntent(flow, input.Intent, [], input, ct);
            if (input.Text.Length == 0 && (ResumeLine is not null || input.Opening)) return AskVerification(reprompt: false);
        }
        else
        {
            var code = _turn.ResolveSecret(token, "identity-verification");
            if (code is not null && await CheckCode(v, code, ct))
            {
                _turn.System.Verification = new VerificationStatus
                {
                    Verified = true, Method = v.Method, Channel = _turn.Channel, VerifiedAt = _turn.Now, MfaPassed = false,
                };
                _e.ConsecutiveMisses = 0;
                Act = "inform";
                _logger.LogInformation("Customer {CustomerId} passed the {Method} check on {Channel}", _turn.CustomerId, v.Method, _turn.Channel.ToWire());
                return await Advance(flow, ct);
            }
            _logger.LogInformation("Customer {CustomerId} failed the {Method} check on {Channel}", _turn.CustomerId, v.Method, _turn.Channel.ToWire());
        }
        if (++_e.ConsecutiveMisses >= _def.Settings.MaxMisses) return await TooManyMisses(flow, ct);
        return Join(v.Failed.Render(Lookup), AskVerification(reprompt: true));
    }

    /// <summary>The code's digits against the backend's check, or the bot's demo code when it has no backend.</summary>
    private async Task<bool> CheckCode(VerificationDefinition v, string code, CancellationToken ct)
    {
        // The vault holds what the tokenizer took as the secret: a run of digits.
        if (code.Length < v.MinDigits || code.Length > v.MaxDigits || !code.All(char.IsAsciiDigit)) return false;
        var backend = Backend();
        if (v.Http is null || backend is null)
            return v.Demo is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(code), System.Text.Encoding.ASCII.GetBytes(v.Demo));
        var outcome = await _backend.CallAsync(backend, v.Http, new Dictionary<string, object?>
        {
            ["customer"] = _turn.CustomerId,
            ["method"] = v.Method,
            ["channel"] = _turn.Channel.ToWire(),
            ["code"] = code,
        }, ct);
        if (!outcome.Ok && outcome.Failure is { } failure && failure != "backend said no")
            _logger.LogWarning("The {Method} check of bot {Bot} failed for customer {CustomerId}: {Failure}", v.Method, _def.Name, _turn.CustomerId, failure);
        return outcome.Ok;
    }

    /// <summary>The bot's backend: the host's setting, else the bot's own; null = actions answer from their demo values.</summary>
    private Uri? Backend() => _settings.Backend ?? (string.IsNullOrEmpty(_def.Settings.Backend) ? null : new Uri(_def.Settings.Backend));

    /// <summary>The first secret token (<c>{{otp:…}}</c>) the grain's tokenizer put in the text, if any.</summary>
    private static string? SecretToken(string text)
    {
        var start = text.IndexOf("{{otp:", StringComparison.Ordinal);
        if (start < 0) return null;
        var end = text.IndexOf("}}", start, StringComparison.Ordinal);
        return end < 0 ? null : text[start..(end + 2)];
    }

    private EngineReply AskWhatToChange(FlowDefinition flow)
    {
        SetPending(ChangeMarker, flow.Goal.Render(Lookup), secret: false);
        var options = flow.Slots.Where(s => _e.Slots.ContainsKey(s.Name))
            .Select(s => new ReplyOption("slot:" + s.Name, Humanize(s.Name))).ToList();
        return new EngineReply(_def.Messages.ChangeWhat.Render(Lookup), options.Count <= 3 ? ReplyStyle.QuickReplies : ReplyStyle.List, options);
    }

    private async Task<EngineReply> OnChange(FlowDefinition flow, List<EntityMatch> entities, string? global, Input input, string? choice, CancellationToken ct)
    {
        var slot = choice is not null && choice.StartsWith("slot:", StringComparison.Ordinal) ? flow.Slot(choice[5..]) : null;
        slot ??= flow.Slots.FirstOrDefault(s => input.Text.Contains(Humanize(s.Name), StringComparison.OrdinalIgnoreCase) || input.Text.Contains(s.Type, StringComparison.OrdinalIgnoreCase));
        var (corrected, invalid) = Fill(flow, entities, input.Text, pending: null, overwrite: true, allowFreeText: false);
        if (invalid is not null) return await Invalid(flow, invalid, ct);
        if (corrected > 0)
        {
            Act = "correct";
            return await Advance(flow, ct);
        }
        if (slot is not null)
        {
            _e.Slots.Remove(slot.Name);
            return Ask(flow, slot, reprompt: false);
        }
        if (global is not null) return await Global(flow, global, ct);
        return await Miss(flow, ct);
    }

    // ---- slot filling ----

    /// <summary>
    /// Puts what the utterance holds into the flow's slots: the pending slot first, then other empty slots whose type
    /// cannot be confused (dates, times, references, enumerations, patterns). Returns how many were filled and, if the
    /// pending slot's value failed validation, that slot.
    /// </summary>
    private (int Filled, SlotDefinition? Invalid) Fill(FlowDefinition flow, List<EntityMatch> entities, string text, string? pending, bool overwrite, bool allowFreeText)
    {
        var used = new List<EntityMatch>();
        var changedSlots = new HashSet<string>(StringComparer.Ordinal);
        var filledNow = new HashSet<string>(StringComparer.Ordinal);
        var filled = 0;
        var pendingSlot = flow.Slot(pending);
        var order = pendingSlot is null ? flow.Slots : flow.Slots.Where(s => s != pendingSlot).Prepend(pendingSlot);
        foreach (var slot in order)
        {
            var isPending = slot == pendingSlot;
            if (!isPending && !overwrite && _e.Slots.ContainsKey(slot.Name)) continue;
            if (!isPending && slot.Type is BuiltinSlotTypes.Number or BuiltinSlotTypes.YesNo or BuiltinSlotTypes.Text or BuiltinSlotTypes.Phone) continue;
            var match = Candidate(slot, entities, used, text, isPending, allowFreeText);
            if (match is null) continue;
            if (overwrite && _e.Slots.TryGetValue(slot.Name, out var current) && current.Value == match.Value) { used.Add(match); continue; }
            if (!Valid(slot, match))
            {
                if (isPending) return (filled, slot);
                continue;
            }
            var changed = _e.Slots.ContainsKey(slot.Name);
            _e.Slots[slot.Name] = new SlotValue(match.Value, match.Display, _turn.Channel, _turn.Now);
            used.Add(match);
            filled++;
            filledNow.Add(slot.Name);
            if (changed)
            {
                Act = "correct";
                changedSlots.Add(slot.Name);
            }
        }
        AskAgainWhatWasOfferedFor(flow, changedSlots, filledNow);
        return (filled, null);
    }

    /// <summary>What was offered for the old value ("seats on the 9:30 AM… flights to Mumbai") is no longer on offer: ask it again.</summary>
    private void AskAgainWhatWasOfferedFor(FlowDefinition flow, HashSet<string> changedSlots, HashSet<string> filledNow)
    {
        if (changedSlots.Count == 0) return;
        foreach (var slot in flow.Slots)
            if (slot.Options.Count > 0 && !filledNow.Contains(slot.Name) && slot.Prompt.References.Any(changedSlots.Contains))
                _e.Slots.Remove(slot.Name);
    }

    private EntityMatch? Candidate(SlotDefinition slot, List<EntityMatch> entities, List<EntityMatch> used, string text, bool isPending, bool allowFreeText)
    {
        if (slot.Secret && isPending && SecretToken(text) is { } token)
            return new EntityMatch(slot.Type, token, "the code", text.IndexOf(token, StringComparison.Ordinal), token.Length);
        var options = OptionsFor(slot);
        if (options.Count > 0)
        {
            options = OfferedNow(slot, options);
            var (outcome, index, fits) = OfferResolver.ResolveWithFits(options.Select(o => o.Title).ToList(), text, isPending);
            if (outcome == OfferOutcome.Chosen)
            {
                var o = options[index];
                return slot.Type == BuiltinSlotTypes.Time && OfferResolver.ParseTime(o.Title) is { } time
                    ? new EntityMatch(BuiltinSlotTypes.Time, time.ToString("HH:mm", CultureInfo.InvariantCulture), EntityExtractor.DisplayTime(time), 0, 0)
                    : new EntityMatch(slot.Type, o.Id, o.Title, 0, 0);
            }
            if (outcome == OfferOutcome.Unclear && isPending) (_unclearOffer, _unclearFits) = (slot, fits.Select(i => options[i].Title).ToList());
            // A time outside the offer is never taken, however clearly it was said.
            if (slot.Type == BuiltinSlotTypes.Time) return null;
        }
        var candidates = entities.Where(m => m.Type == slot.Type && !used.Any(u => u.Overlaps(m))).ToList();
        var match = PickByRole(slot, candidates, text);
        if (match is not null) return match;
        if (!isPending) return null;
        if (slot.Type == BuiltinSlotTypes.Time)
        {
            // A bare hour answering "what time?" ("4") is that hour, afternoon for 1-7.
            var n = entities.FirstOrDefault(m => m.Type == BuiltinSlotTypes.Number && int.TryParse(m.Value, out var h) && h is >= 0 and <= 23);
            if (n is not null)
            {
                var h = int.Parse(n.Value, CultureInfo.InvariantCulture);
                var t = new TimeOnly(h is >= 1 and <= 7 ? h + 12 : h, 0);
                return new EntityMatch(BuiltinSlotTypes.Time, t.ToString("HH:mm", CultureInfo.InvariantCulture), EntityExtractor.DisplayTime(t), n.Start, n.Length);
            }
        }
        if (slot.Type == BuiltinSlotTypes.Text && allowFreeText && text.Trim().Length is > 0 and <= 500)
            return new EntityMatch(BuiltinSlotTypes.Text, text.Trim(), text.Trim(), 0, text.Length);
        return null;
    }

    /// <summary>
    /// "My flight from Singapore was late, I missed my connection to Delhi": a value said after "from" is where the
    /// customer comes from, not where they go; a value after "to" is preferred for every other slot.
    /// </summary>
    private static EntityMatch? PickByRole(SlotDefinition slot, List<EntityMatch> candidates, string text)
    {
        if (candidates.Count == 0) return null;
        var origin = slot.Name.Contains("origin", StringComparison.Ordinal) || slot.Name.Contains("from", StringComparison.Ordinal);
        string Role(EntityMatch m)
        {
            if (m.Length == 0 || m.Start > text.Length) return "";
            var before = RoleCue().Match(text[..m.Start]);
            return before.Success ? (before.Groups[1].Value.Equals("from", StringComparison.OrdinalIgnoreCase) ? "from" : "to") : "";
        }
        if (origin) return candidates.FirstOrDefault(m => Role(m) == "from");
        var kept = candidates.Where(m => Role(m) != "from").ToList();
        return kept.FirstOrDefault(m => Role(m) == "to") ?? kept.FirstOrDefault();
    }

    private bool Valid(SlotDefinition slot, EntityMatch match)
    {
        if (slot.Type == BuiltinSlotTypes.Date && slot.Future
            && DateOnly.TryParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            && d < _bot.Extractor.Today(_turn.Now))
            return false;
        if (slot.Type == BuiltinSlotTypes.Number && double.TryParse(match.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            if (slot.Min is { } min && n < min) return false;
            if (slot.Max is { } max && n > max) return false;
        }
        return true;
    }

    private async Task<EngineReply> Invalid(FlowDefinition flow, SlotDefinition slot, CancellationToken ct)
    {
        if (++_e.ConsecutiveMisses >= _def.Settings.MaxMisses) return await TooManyMisses(flow, ct);
        var why = slot.Invalid?.Render(Lookup) ?? "That doesn't look right.";
        return Join(why, Ask(flow, slot, reprompt: true));
    }

    // ---- actions ----

    private async Task<EngineReply> Perform(FlowDefinition flow, CancellationToken ct)
    {
        var action = flow.Action;
        if (action.Builtin != BuiltinAction.None) return await RunBuiltin(flow, flow, action.Builtin, action.Success.Render(Lookup), ct);

        ActionOutcome outcome;
        var backend = Backend();
        if (action.Http is null) outcome = new ActionOutcome(true, action.Demo, null);
        else if (backend is null)
        {
            _logger.LogInformation("Bot {Bot} has no backend configured: flow {Flow} answers from its demo result", _def.Name, flow.Name);
            outcome = new ActionOutcome(true, action.Demo, null);
        }
        else
        {
            var body = new Dictionary<string, object?>
            {
                ["flow"] = flow.Name,
                ["intent"] = flow.Intent,
                ["customer"] = _turn.CustomerId,
                ["channel"] = _turn.Channel.ToWire(),
                ["slots"] = (IReadOnlyDictionary<string, string>)_e.Slots.ToDictionary(kv => kv.Key, kv => kv.Value.Value),
            };
            outcome = await _backend.CallAsync(backend, action.Http, body, ct);
            if (!outcome.Ok)
                _logger.LogWarning("Backend action {Flow} of bot {Bot} failed for customer {CustomerId}: {Failure}", flow.Name, _def.Name, _turn.CustomerId, outcome.Failure);
        }
        _result = outcome.Result;
        if (!outcome.Ok)
        {
            var failure = action.Failure?.Render(Lookup) ?? "Sorry, I couldn't finish that just now.";
            CloseFlow(flow, "failed");
            return new EngineReply(failure, ReplyStyle.QuickReplies, MenuOptions(["agent"]));
        }
        var text = action.Success.Render(Lookup);
        var written = action.Confirmation?.Render(Lookup) ?? text;
        CloseFlow(flow, "completed");
        var next = action.Next.Count == 0 ? null : MenuOptions(action.Next);
        return new EngineReply(text, next is null ? ReplyStyle.Text : ReplyStyle.QuickReplies, next,
            Completed: new FlowCompletion(flow.Name, flow.Intent, flow.Title, written));
    }

    /// <summary>"Escalate to voice" (a call-us action with a session token and call code) or "hand to a human agent" (with a summary).</summary>
    private async Task<EngineReply> RunBuiltin(FlowDefinition? open, FlowDefinition? owner, BuiltinAction builtin, string? text, CancellationToken ct)
    {
        if (builtin == BuiltinAction.EscalateToVoice && _turn.Channel == Channel.Voice)
        {
            var here = _def.Messages.AlreadyOnCall.Render(Lookup);
            var current = _def.Flow(_e.ActiveFlow);
            return current is null ? new EngineReply(here) : Join(here, await Advance(current, ct));
        }
        if (builtin == BuiltinAction.EscalateToVoice)
        {
            var token = _turn.IssueSessionToken("call-us", _settings.SessionTokenLifetime);
            var code = await _turn.IssueCallCode(_settings.CallCodeLifetime);
            // The open flow stays open: the call picks it up with the resume line.
            if (owner is not null && owner.Name == _e.ActiveFlow && !owner.IsSideAction) CloseFlow(owner, "escalated-to-voice");
            return new EngineReply(text ?? _def.Messages.CallUs.Render(Lookup),
                Action: new ReplyAction(ReplyActionKind.CallUs, _settings.VoiceNumber, token, Summary(), code));
        }
        var summary = Summary();
        var flow = _def.Flow(_e.ActiveFlow);
        if (flow is not null) CloseFlow(flow, "handed-to-agent");
        else if (owner is not null) Record(owner.Intent, "handed-to-agent");
        return new EngineReply(text ?? _def.Messages.Handoff.Render(Lookup), Action: new ReplyAction(ReplyActionKind.HandToAgent, Summary: summary));
    }

    /// <summary>What an agent or the voice channel needs to carry on without asking again (tokenized values only).</summary>
    private string? Summary()
    {
        var flow = _def.Flow(_e.ActiveFlow);
        if (flow is null) return _e.LastInputs.Count > 0 ? "last said: " + _e.LastInputs[^1] : null;
        var slots = string.Join(", ", flow.Slots.Where(s => _e.Slots.ContainsKey(s.Name)).Select(s => $"{s.Name}={_e.Slots[s.Name].Display ?? _e.Slots[s.Name].Value}"));
        return $"{flow.Title}: {(slots.Length == 0 ? "nothing filled yet" : slots)}; pending: {_e.PendingStep}";
    }

    // ---- global handling ----

    private async Task<EngineReply> Global(FlowDefinition? flow, string intent, CancellationToken ct)
    {
        Act = intent;
        var m = _def.Messages;
        switch (intent)
        {
            case "help":
                _e.ConsecutiveMisses = 0;
                if (flow is null) return new EngineReply(m.Help.Render(Lookup), ReplyStyle.List, MenuOptions(null));
                return Join(m.Help.Render(Lookup), await Advance(flow, ct));
            case "repeat":
                IsRepeat = true;
                return LastReply.Load(_turn.EngineData) ?? new EngineReply(m.NothingToRepeat.Render(Lookup));
            case "start_over":
                if (flow is null) return Join(m.StartOver.Render(Lookup), Greeting());
                _e.Slots.Clear();
                _e.ConsecutiveMisses = 0;
                return Join(m.StartOver.Render(Lookup), await Advance(flow, ct));
            case "cancel":
                if (flow is null) return new EngineReply(m.NothingToCancel.Render(Lookup));
                if (flow.Slots.Any(s => _e.Slots.ContainsKey(s.Name)))
                {
                    // Work is at stake: name it and ask before throwing it away.
                    var question = flow.CancelPrompt is { } cp && cp.CanRender(Lookup) ? cp.Render(Lookup) : $"Shall I stop {flow.Goal.Render(Lookup)}?";
                    SetPending(DialogStepMarkers.Cancel, flow.Goal.Render(Lookup), secret: false);
                    return new EngineReply(question, ReplyStyle.Confirmation, [new ReplyOption("yes", "Yes"), new ReplyOption("no", "No")]);
                }
                CloseFlow(flow, "cancelled");
                return new EngineReply(m.Cancelled.Render(Lookup));
            default:
                return await RunBuiltin(flow, null, BuiltinAction.HandToAgent, null, ct);
        }
    }

    private async Task<EngineReply> Miss(FlowDefinition? flow, CancellationToken ct)
    {
        Act = "fallback";
        if (++_e.ConsecutiveMisses >= _def.Settings.MaxMisses) return await TooManyMisses(flow, ct);
        var sorry = _def.Messages.Fallback.Render(Lookup);
        if (flow is null) return new EngineReply(sorry + " " + _def.Messages.Help.Render(Lookup), ReplyStyle.List, MenuOptions(null));
        var pending = flow.Slot(_e.PendingSlot);
        return Join(sorry, pending is not null ? Ask(flow, pending, reprompt: true) : await Advance(flow, ct));
    }

    private async Task<EngineReply> TooManyMisses(FlowDefinition? flow, CancellationToken ct)
    {
        _e.ConsecutiveMisses = 0;
        var sorry = _def.Messages.Fallback.Render(Lookup);
        var reply = await RunBuiltin(flow, null, _def.Settings.OnMaxMisses, null, ct);
        return reply with { Text = sorry + " " + reply.Text };
    }

    private EngineReply Greeting() =>
        new(_def.Persona.Greeting.Render(Lookup), ReplyStyle.List, MenuOptions(null));

    /// <summary>Menu options that start flows: "intent:{name}" ids, flow titles as labels.</summary>
    private List<ReplyOption> MenuOptions(IReadOnlyList<string>? intents)
    {
        var list = new List<ReplyOption>();
        foreach (var f in _def.Flows)
            if (intents is null || intents.Contains(f.Intent)) list.Add(new ReplyOption("intent:" + f.Intent, f.Title));
        if (intents?.Contains("agent") == true) list.Add(new ReplyOption("intent:agent", "Talk to a person"));
        return list;
    }

    // ---- state ----

    private void SetPending(string slot, string step, bool secret)
    {
        _e.PendingSlot = slot;
        _e.PendingStep = step;
        _e.FlowChannel = _turn.Channel;
        if (secret) _turn.EngineData[EngineDataKeys.ExpectSecretDigits] = "1";
        else _turn.EngineData.Remove(EngineDataKeys.ExpectSecretDigits);
    }

    /// <summary>The zero-repeat metric: a slot that was already filled when the customer switched channel is being asked again.</summary>
    private void CountRepeat(string slot)
    {
        if (!_turn.EngineData.TryGetValue(EngineDataKeys.SwitchFilled, out var filled) || _turn.EngineData.ContainsKey(EngineDataKeys.SwitchRepeatCounted)) return;
        if (!filled.Split(',').Contains(slot)) return;
        _turn.Intent.SwitchesWithRepeat++;
        _turn.EngineData[EngineDataKeys.SwitchRepeatCounted] = "1";
    }

    private void CloseFlow(FlowDefinition flow, string resolution)
    {
        foreach (var slot in flow.Slots.Where(s => s.Remember && _e.Slots.ContainsKey(s.Name)))
            _turn.EngineData[EngineDataKeys.RememberPrefix + slot.Name] = _e.Slots[slot.Name].Value + '\u001f' + (_e.Slots[slot.Name].Display ?? _e.Slots[slot.Name].Value);
        Record(flow.Intent, resolution);
        ClearFlow();
    }

    private void Record(string intent, string resolution)
    {
        _turn.Intent.History.Add(new IntentRecord(intent, resolution, _turn.Channel, _turn.Now));
        if (_turn.Intent.History.Count > HistoryLimit) _turn.Intent.History.RemoveRange(0, _turn.Intent.History.Count - HistoryLimit);
    }

    private void ClearFlow()
    {
        _e.ActiveFlow = null;
        _e.Slots.Clear();
        _e.PendingSlot = null;
        _e.PendingStep = null;
        _e.FlowChannel = null;
        _e.ConsecutiveMisses = 0;
        _turn.EngineData.Remove(EngineDataKeys.ExpectSecretDigits);
        _turn.EngineData.Remove(EngineDataKeys.SwitchFilled);
        _turn.EngineData.Remove(EngineDataKeys.SwitchRepeatCounted);
    }

    // ---- input ----

    /// <summary>An option id when the input picks one of the last reply's options (a button, "2", DTMF 2, or its title).</summary>
    private string? MatchOption(Input input)
    {
        if (input.ChoiceId is { } id) return id;
        var options = LastReply.Options(_turn.EngineData);
        if (options.Count == 0) return null;
        var t = input.Text.Trim().TrimEnd('.', '!');
        if (input.Digits is { } digits) t = digits;
        var pending = _def.Flow(_e.ActiveFlow)?.Slot(_e.PendingSlot);
        // Keypad digits always pick an option; a typed "3" answering "what time?" is an hour.
        var numericSlot = input.Digits is null && pending?.Type is BuiltinSlotTypes.Number or BuiltinSlotTypes.Time or BuiltinSlotTypes.Phone;
        if (!numericSlot && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= options.Count) return options[n - 1].Id;
        return options.FirstOrDefault(o => string.Equals(o.Title, t, StringComparison.OrdinalIgnoreCase))?.Id;
    }

    private static readonly Dictionary<string, string> GlobalWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["help"] = "help", ["menu"] = "help", ["options"] = "help",
        ["repeat"] = "repeat", ["say that again"] = "repeat", ["again"] = "repeat", ["pardon"] = "repeat",
        ["start over"] = "start_over", ["restart"] = "start_over", ["start again"] = "start_over",
        ["cancel"] = "cancel", ["stop"] = "cancel", ["never mind"] = "cancel", ["nevermind"] = "cancel",
        ["agent"] = "agent", ["human"] = "agent", ["operator"] = "agent", ["person"] = "agent", ["representative"] = "agent",
        ["talk to a person"] = "agent", ["talk to a human"] = "agent", ["speak to an agent"] = "agent",
    };

    private static string? GlobalIntent(Input input, string? choice)
    {
        if (choice is not null) return null;
        if (input.Digits == "0") return "agent";
        if (input.Digits == "*") return "repeat";
        var t = input.Text.Trim().TrimEnd('.', '!', '?');
        return t.Length <= 24 && GlobalWords.TryGetValue(t, out var g) ? g : null;
    }

    public string? Lookup(string reference)
    {
        switch (reference)
        {
            case "persona.name": return _def.Persona.Name;
            case "persona.brand": return _def.Persona.Brand;
        }
        if (reference.StartsWith("result.", StringComparison.Ordinal))
            return _result is not null && _result.TryGetValue(reference[7..], out var r) ? r : null;
        return _e.Slots.TryGetValue(reference, out var v) ? v.Display ?? v.Value : null;
    }

    private static EngineReply Join(string before, EngineReply reply) => reply with { Text = before + " " + reply.Text };

    private static string Humanize(string name) => name.Replace('_', ' ');

    /// <summary>Words that make a change of mind ("actually", "instead", "I meant", "make it", "change the date to").</summary>
    [GeneratedRegex(@"\b(actually|instead|i meant|i mean|meant|make it|rather|change (?:the |my )?\w+ to|not \w+ but|sorry,? (?:i|it|my|make))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CorrectionCue();

    /// <summary>What a clear cancel says.</summary>
    [GeneratedRegex(@"\b(cancel\w*|stop|forget (?:it|about it)|never ?mind|abort|scrap (?:it|that)|drop it|leave it|don't bother|don't want|not do this|changed my mind|no need)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClearCancel();

    /// <summary>"What's my booking ref again?", "what was the date".</summary>
    [GeneratedRegex(@"^\s*(?:what(?:'s| is| was)|remind me(?: of)?|tell me)\s+(?:my|the)\s+([\w ]+?)(?:\s+again)?\s*\??\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SlotQuestionCue();

    /// <summary>The last "from" or "to" before a value, with at most two words between ("to delhi", "from lovely singapore").</summary>
    [GeneratedRegex(@"\b(from|to|for)\s+(?:\w+\s+){0,1}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleCue();

    internal sealed class Input
    {
        public string Text { get; init; } = "";
        public string? ChoiceId { get; init; }
        public string? Digits { get; init; }
        public string? Intent { get; set; }
        /// <summary>A channel's opening marker (a call answered: choice ids <c>voice:…</c>): no words from the customer yet.</summary>
        public bool Opening { get; init; }

        public static Input Read(DialogTurn turn, int maxChars)
        {
            var text = turn.Text ?? "";
            if (text.Length > maxChars) text = text[..maxChars];
            return turn.Payload switch
            {
                { Kind: PayloadKind.Choice, Id: { Length: > 0 } marker } when marker.StartsWith("voice:", StringComparison.Ordinal) => new Input { Text = "", Opening = true },
                { Kind: PayloadKind.Choice, Id: { Length: > 0 } id } => new Input { Text = turn.Payload.Title ?? text, ChoiceId = id },
                { Kind: PayloadKind.Dtmf, Id: { Length: > 0 } digits } => new Input { Text = text.Length > 0 ? text : digits, Digits = digits },
                _ => new Input { Text = text.Trim() },
            };
        }
    }
}
