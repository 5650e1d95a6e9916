using System.Diagnostics;
using Work = System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Voice.Calls;
using Switchboard.Speech.Grammar;
using Switchboard.Speech.Recording;
using Switchboard.Speech.TurnTaking;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Consent;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>
/// The speech side of one call. Inbound 20 ms frames go through voice activity detection and end-of-utterance
/// detection into a recogniser constrained by the grammar of what the last reply expects; the recognised answer is sent
/// as a voice turn through the same path as keyed digits, and the reply is spoken by the conversation. Customer speech
/// stops a prompt within two frames (barge-in). Silence and unmatched answers get the persona's re-prompts. Keys work at
/// every step. When recording is configured it asks for consent first, records only with it, and pauses for secrets.
/// All recognition work runs on one loop per call, so the receive loop never waits.
/// </summary>
public sealed class SpeechCallHandler : ICallMediaHandler
{
    private readonly ICallSession _call;
    private readonly VoiceAgentServices _s;
    /// <summary>Frames the loop has processed, for the receive thread to fill again (at most <see cref="MaxSpareFrames"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<short[]> _spareFrames = new();
    private const int MaxSpareFrames = 16;
    private readonly Work.Channel<Item> _items = Work.Channel.CreateUnbounded<Item>(new Work.UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _ended = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly Task _loop;
    private ListeningTurn? _listening;
    private SpeechGrammar? _grammar;
    private string _lastSpoken = "";
    private int _reprompts;
    private bool _listeningForEngine;
    private long _answeredAt;        // end-of-utterance decision, awaiting the first agent packet
    private long _speechOnsetAt;     // arrival of the first loud frame of the current run
    private long _bargeInAt;         // barge-in decided, awaiting the first frame without the prompt
    private int _replies;
    // Recording consent: asked before the first turn when recording is configured.
    private TaskCompletionSource<(bool Granted, string How)>? _consent;
    private bool _consentAsked;
    private (bool Granted, string Evidence)? _consentAnswer;
    private CallRecording? _recording;
    private bool _secretExpected;
    // A proactive call's reason: recorded before the first engine turn, said before the first reply (or the consent question).
    private string? _reason;
    // The tenant bot's notice, re-prompt line and menu phrases: fetched before the first turn.
    private BotVoiceProfile? _bot;
    // Answering-machine detection on a call we placed: runs on the loop until a verdict, then null.
    private AnsweringMachineDetector? _machine;
    private readonly TaskCompletionSource<AnsweredBy> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _recordingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously); // true: after a beep
    private string? _customerId;  // the dialled customer of a proactive call

    public SpeechCallHandler(ICallSession call, VoiceAgentServices services)
    {
        _call = call;
        _s = services;
        _call.TapOutboundAudio(OnAgentFrame);
        if (call.Outbound && services.Options.AnsweringMachine.Enabled)
        {
            _machine = new AnsweringMachineDetector(services.Options.AnsweringMachine, services.TurnTaking, services.Vad.IsAvailable ? services.Vad.OpenStream() : null);
            services.Outcomes.Expect(call.CallId);
        }
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The recording of this call, once the caller agreed to it.</summary>
    public CallRecording? Recording => _recording;

    private string CallRef => CallReference.For(_call.CallId);

    // ------------------------------------------------------------------ seam callbacks

    public void OnAudioFrame(ReadOnlySpan<short> pcm20Ms)
    {
        _recording?.OnCustomerFrame(pcm20Ms);
        // The frame is the receive thread's buffer: copy it into one of this call's recycled frames (the loop hands
        // them back once processed), so steady listening allocates no array per 20 ms frame.
        if (!_spareFrames.TryDequeue(out var frame) || frame.Length != pcm20Ms.Length) frame = new short[pcm20Ms.Length];
        pcm20Ms.CopyTo(frame);
        _items.Writer.TryWrite(new Item(frame, Stopwatch.GetTimestamp(), null, null));
    }

    public void OnDigit(char digit)
    {
        // Card digits and codes are keyed while the recording is paused; a key also means the caller is answering.
        if (_secretExpected) _recording?.Pause(RecordingPauseReason.CardNumber);
    }

    public bool TryTakeDigit(char digit)
    {
        if (_consent is not { Task.IsCompleted: false } consent) return false;
        if (digit == '1') consent.TrySetResult((true, "dtmf 1"));
        else if (digit == '2') consent.TrySetResult((false, "dtmf 2"));
        return true;
    }

    public async Task OnCallStartingAsync(CancellationToken cancellationToken)
    {
        _bot = await _s.Bots.ForAsync(_call.Tenant);
        _call.SpeakWith(_s.Voices.For(_call.Tenant, _bot));
        if (_call.Outbound)
        {
            var (customer, proactiveReason) = await TakeProactiveReasonAsync();
            if (_machine is not null && await DetectAnsweringMachineAsync(cancellationToken) == AnsweredBy.Machine)
            {
                try { await LeaveVoicemailAsync(customer, proactiveReason, cancellationToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Still hang up: a machine never gets the dialog, with or without the message.
                    _s.Logger.LogError(e, "Could not leave the voicemail on call {CallRef}", CallRef);
                }
                // The engine's dialog never starts at a machine: the call ends here (the conversation is disposed).
                await _call.HangUpAsync();
                await Task.Delay(Timeout.InfiniteTimeSpan, _s.Time, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), _s.Time, cancellationToken);
                throw new OperationCanceledException("The call reached an answering machine.", cancellationToken);
            }
            if (proactiveReason is not null && customer is not null)
            {
                _reason = proactiveReason;
                await RecordOutboundAsync(customer, proactiveReason);
            }
        }
        if (string.IsNullOrWhiteSpace(_s.Options.RecordingsPath)) return;
        var notice = _bot?.RecordingNotice;
        if (string.IsNullOrWhiteSpace(notice)) return;
        _consentAsked = true;
        _consent = new TaskCompletionSource<(bool, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var question = notice.Trim() + " " + _s.Options.RecordingQuestion;
        if (_reason is { } reason)
        {
            question = reason + " " + question;
            _reason = null;
        }
        _items.Writer.TryWrite(new Item(null, 0, new GrammarBuilder().YesNo().Build("recording-consent"), question));
        _ = SpeakAsync(question);
        (bool Granted, string How) answer;
        try
        {
            answer = await _consent.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var offsetMs = (long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds;
        _consentAnswer = (answer.Granted, $"sip-call-id {_call.CallId}; answered '{answer.How}' at +{offsetMs} ms into the call");
        _s.Logger.LogInformation("Recording consent on call {CallRef}: {Answer}", CallRef, answer.Granted ? "granted" : "declined");
        if (answer.Granted)
        {
            _recording = _s.Recordings.Start(_call.Tenant, CallRef);
            _recording.ConsentEvidence = _consentAnswer.Value.Evidence;
        }
        else await SpeakAsync(_s.Options.NotRecordingLine);
    }

    public string OnEngineReply(TurnResult result, string spoken)
    {
        var first = Interlocked.Increment(ref _replies) == 1;
        var customer = _s.Grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(_call.Tenant, result.CustomerId));
        if (first)
        {
            if (_consentAnswer is { } consent) _ = StoreConsentAsync(customer, consent.Granted, consent.Evidence);
            _recording?.AssignCustomer(result.CustomerId);
            // The notice was already read out with the consent question.
            if (_consentAsked && _bot?.RecordingNotice is { Length: > 0 } notice
                && spoken.StartsWith(notice, StringComparison.Ordinal))
                spoken = spoken[notice.Length..].TrimStart();
            if (_reason is { } reason) spoken = reason + " " + spoken;
        }
        _secretExpected = result.Reply.Expect?.Secret == true;
        if (_recording is not null)
        {
            if (_secretExpected) _recording.Pause(PauseReasonFor(result.Reply.Expect!));
            else _recording.Resume();
        }
        if (result.Reply.Action?.Kind == ReplyActionKind.HandToAgent) _ = StoreHandoffAsync(customer, result.Reply.Action);
        var listen = result.Reply.Action?.Kind is not (ReplyActionKind.HandToAgent or ReplyActionKind.EndConversation);
        var grammar = listen ? _s.OpenTurns.For(_call.Tenant, result.Reply, _bot) ?? TurnGrammar.For(result.Reply, _bot, Today()) : null;
        _items.Writer.TryWrite(new Item(null, 0, grammar, spoken) { StopListening = !listen });
        return spoken;
    }

    // ------------------------------------------------------------------ the per-call loop

    private async Task RunAsync()
    {
        try
        {
            await foreach (var item in _items.Reader.ReadAllAsync(_ended.Token))
            {
                try
                {
                    if (item.Frame is not null)
                    {
                        await OnFrameAsync(item.Frame, item.At);
                        // Nothing keeps the frame after it was processed (the VAD, the recogniser and the answering-machine
                        // detector read it; the listening turn copies what it keeps for pre-roll).
                        if (_spareFrames.Count < MaxSpareFrames) _spareFrames.Enqueue(item.Frame);
                    }
                    else if (item.StopListening) await StopListeningAsync();
                    else if (item.Grammar is not null) await ListenAsync(item.Grammar, item.Spoken ?? "", newPrompt: true);
                }
                catch (OperationCanceledException) when (_ended.IsCancellationRequested) { return; }
                catch (Exception e)
                {
                    _s.Logger.LogError(e, "Speech handling failed on call {CallRef}", CallRef);
                    await StopListeningAsync();
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task ListenAsync(SpeechGrammar grammar, string spoken, bool newPrompt)
    {
        await StopListeningAsync();
        if (newPrompt)
        {
            _reprompts = 0;
            _lastSpoken = spoken;
        }
        _grammar = grammar;
        _listeningForEngine = _consent is not { Task.IsCompleted: false };
        _listening = await ListeningTurn.StartAsync(_s.Recognizer, grammar, _s.TurnTaking, _ended.Token, _s.Vad);
    }

    private async Task StopListeningAsync()
    {
        if (_listening is { } l)
        {
            _listening = null;
            await l.DisposeAsync();
        }
    }

    private async Task OnFrameAsync(short[] frame, long arrivedAt)
    {
        if (_machine is { } machine) OnMachineFrame(machine, frame);
        if (_listening is not { } turn) return;
        var playing = _call.IsPlaying;
        var update = await turn.OnFrameAsync(frame, playing, promptInterruptible: true, _ended.Token);
        if (update.Event == UtteranceEvent.SpeechStarted || (playing && _speechOnsetAt == 0 && update.StopPrompt))
            _speechOnsetAt = arrivedAt - Stopwatch.Frequency * 20 * (_s.TurnTaking.OnsetFrames - 1) / 1000;
        if (update.StopPrompt)
        {
            if (_speechOnsetAt == 0) _speechOnsetAt = arrivedAt - Stopwatch.Frequency * 20 * (_s.TurnTaking.BargeInFrames - 1) / 1000;
            Volatile.Write(ref _bargeInAt, _speechOnsetAt);
            _call.StopPlayback();
        }
        if (!update.IsFinished) return;
        await StopListeningAsync();
        _speechOnsetAt = 0;
        var grammar = _grammar!;
        if (update.Event == UtteranceEvent.NoInput)
        {
            Interlocked.Increment(ref _s.Metrics.NoInputs);
            await RepromptAsync(grammar, noInput: true);
            return;
        }
        var result = update.Result!;
        if (result.IsNoMatch)
        {
            Interlocked.Increment(ref _s.Metrics.NoMatches);
            _s.Logger.LogInformation("No match on call {CallRef} (grammar {Grammar})", CallRef, grammar.Name);
            await RepromptAsync(grammar, noInput: false);
            return;
        }
        Interlocked.Increment(ref _s.Metrics.Recognised);
        if (_consent is { Task.IsCompleted: false } consent)
        {
            consent.TrySetResult((result.Value == "yes", "said " + result.Value));
            return;
        }
        if (!_listeningForEngine) return;
        _s.Logger.LogInformation("Recognised an answer on call {CallRef} (grammar {Grammar}, confidence {Confidence:F2})", CallRef, grammar.Name, result.Confidence);
        // The caller answered: whatever is still playing is over (the turn queue waits for the prompt).
        if (_call.IsPlaying) _call.StopPlayback();
        Volatile.Write(ref _answeredAt, Stopwatch.GetTimestamp());
        _ = SubmitAsync(result.Value!);
    }

    private async Task SubmitAsync(string text)
    {
        try
        {
            await _call.SubmitTurnAsync(text, null, _ended.Token);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            _s.Logger.LogError(e, "Voice turn failed on call {CallRef}", CallRef);
        }
    }

    /// <summary>The persona's re-prompt, then the last prompt again; after the limit the call just keeps listening.</summary>
    private async Task RepromptAsync(SpeechGrammar grammar, bool noInput)
    {
        if (++_reprompts <= _s.Options.MaxReprompts && _lastSpoken.Length > 0)
        {
            var sorry = noInput ? _s.Options.NoInputLine : _bot?.Fallback ?? "Sorry, I didn't catch that.";
            var text = sorry + " " + _lastSpoken;
            if (_call.CustomerId is { } customerId && _consent is not { Task.IsCompleted: false })
                _ = RecordOutboundAsync(_s.Grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(_call.Tenant, customerId)), text);
            _ = SpeakAsync(text);
        }
        else if (_consent is { Task.IsCompleted: false } consent)
        {
            consent.TrySetResult((false, "no answer"));
            return;
        }
        await ListenAsync(grammar, _lastSpoken, newPrompt: false);
    }

    private async Task SpeakAsync(string text)
    {
        try
        {
            await _call.PlayAsync(_call.Prompts.StreamAsync(text, _ended.Token), _ended.Token);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            _s.Logger.LogWarning(e, "Prompt failed on call {CallRef}", CallRef);
        }
    }

    // ------------------------------------------------------------------ outbound audio: recording clock, latencies

    private void OnAgentFrame(ReadOnlySpan<short> frame)
    {
        _recording?.OnAgentFrame(frame);
        var playing = _call.IsPlaying;
        if (playing && Volatile.Read(ref _answeredAt) is var answered and not 0)
        {
            Volatile.Write(ref _answeredAt, 0);
            VoiceAgentMetrics.Add(_s.Metrics.ResponseMs, Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
        }
        if (!playing && Volatile.Read(ref _bargeInAt) is var onset and not 0)
        {
            Volatile.Write(ref _bargeInAt, 0);
            VoiceAgentMetrics.Add(_s.Metrics.BargeInMs, Stopwatch.GetElapsedTime(onset).TotalMilliseconds);
        }
    }

    // ------------------------------------------------------------------ engine side effects

    private async Task StoreConsentAsync(ICustomerGrain customer, bool granted, string evidence)
    {
        try
        {
            await customer.RecordConsent(new ConsentChange(Channel.Voice, ConsentPurpose.CallRecording,
                granted ? ConsentStatus.Granted : ConsentStatus.Revoked, "voice-call", evidence, _s.Time.GetUtcNow()));
        }
        catch (Exception e) { _s.Logger.LogError(e, "Could not store recording consent for call {CallRef}", CallRef); }
    }

    private async Task StoreHandoffAsync(ICustomerGrain customer, ReplyAction action)
    {
        try
        {
            await customer.SetCrmField(HandoffFields.Summary, action.Summary ?? "no open flow");
            await customer.SetCrmField(HandoffFields.At, _s.Time.GetUtcNow().ToString("O"));
            await customer.SetCrmField(HandoffFields.Channel, "voice");
            _s.Logger.LogInformation("Call {CallRef} handed to a human agent with a context summary", CallRef);
        }
        catch (Exception e) { _s.Logger.LogError(e, "Could not store the handoff summary for call {CallRef}", CallRef); }
    }

    /// <summary>
    /// The reason a proactive call was placed, taken for the customer at the dialled number. It goes in the transcript
    /// before the first engine turn runs (so the transcript reads in the order the callee hears it), or into the
    /// voicemail when a machine answered.
    /// </summary>
    private async Task<(ICustomerGrain? Customer, string? Reason)> TakeProactiveReasonAsync()
    {
        if (_call.Address is not { Kind: AddressKind.Phone } address) return (null, null);
        try
        {
            var customerId = await ConversationIngress.For(_s.Grains, address.Value).Resolve(_call.Tenant, address);
            if (customerId is null) return (null, null);
            _customerId = customerId;
            return (_s.Grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(_call.Tenant, customerId)), _s.Reasons.Take(_call.Tenant, customerId));
        }
        catch (Exception e)
        {
            _s.Logger.LogWarning(e, "Could not take the reason of proactive call {CallRef}", CallRef);
            return (null, null);
        }
    }

    // ------------------------------------------------------------------ answering-machine detection

    private void OnMachineFrame(AnsweringMachineDetector machine, short[] frame)
    {
        switch (machine.Process(frame))
        {
            case AnsweringMachineEvent.Human:
                _machine = null;
                _verdict.TrySetResult(AnsweredBy.Human);
                break;
            case AnsweringMachineEvent.Silence:
                _machine = null;
                _verdict.TrySetResult(AnsweredBy.Unknown);
                break;
            case AnsweringMachineEvent.Machine:
                _verdict.TrySetResult(AnsweredBy.Machine);
                break;
            case AnsweringMachineEvent.RecordingStarted:
                _machine = null;
                _recordingStarted.TrySetResult(machine.BeepHeard);
                break;
        }
    }

    /// <summary>
    /// Listens before speaking: a person's short "hello" and silence, or a machine's long greeting. A line that sends no
    /// audio at all is bounded by the clock (the detector only counts the frames it gets).
    /// </summary>
    private async Task<AnsweredBy> DetectAnsweringMachineAsync(CancellationToken cancellationToken)
    {
        var o = _s.Options.AnsweringMachine;
        AnsweredBy answeredBy;
        try
        {
            answeredBy = await _verdict.Task.WaitAsync(o.InitialSilence + o.MaxHumanGreeting + o.AfterGreetingSilence + TimeSpan.FromSeconds(1), _s.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            _machine = null;
            answeredBy = AnsweredBy.Unknown;
        }
        _s.Outcomes.Report(_call.CallId, answeredBy);
        _s.Logger.LogInformation("Proactive call {CallRef} answered by {AnsweredBy}", CallRef, answeredBy.ToString().ToLowerInvariant());
        return answeredBy;
    }

    /// <summary>Waits for the beep (or the silence that stands for it), then speaks the message; it goes in the transcript too.</summary>
    private async Task LeaveVoicemailAsync(ICustomerGrain? customer, string? reason, CancellationToken cancellationToken)
    {
        var beep = false;
        try { beep = await _recordingStarted.Task.WaitAsync(_s.Options.AnsweringMachine.MaxBeepWait, _s.Time, cancellationToken); }
        catch (TimeoutException) { _machine = null; }
        var tenant = _s.Tenants.FindOrDefault(_call.Tenant);
        string? code = null;
        if (_customerId is { } customerId)
        {
            try { code = await Voicemail.ClaimCallCodeAsync(_s.Grains, _call.Tenant, customerId, _s.Time.GetUtcNow() + Voicemail.CallCodeLifetime); }
            catch (Exception e) { _s.Logger.LogWarning(e, "No call code for the voicemail on call {CallRef}", CallRef); }
        }
        var text = Voicemail.Compose(reason ?? $"Hello, this is {tenant?.DisplayName ?? "us"} calling.", tenant?.VoiceNumber, code);
        if (customer is not null) await RecordOutboundAsync(customer, text);
        await _call.PlayAsync(_call.Prompts.StreamAsync(text, cancellationToken), cancellationToken);
        Interlocked.Increment(ref _s.Metrics.Voicemails);
        _s.Logger.LogInformation("Voicemail left on call {CallRef} (beep heard: {Beep})", CallRef, beep);
    }

    private async Task RecordOutboundAsync(ICustomerGrain customer, string text)
    {
        try { await customer.RecordOutbound(Channel.Voice, text, null); }
        catch (Exception e) { _s.Logger.LogWarning(e, "Could not record a spoken line for call {CallRef}", CallRef); }
    }

    private static RecordingPauseReason PauseReasonFor(ReplyExpectation expect) =>
        (expect.Slot ?? expect.Type).Contains("card", StringComparison.OrdinalIgnoreCase) ? RecordingPauseReason.CardNumber
        : (expect.Slot ?? expect.Type).Contains("cvv", StringComparison.OrdinalIgnoreCase) ? RecordingPauseReason.SecurityCode
        : (expect.Slot ?? expect.Type).Contains("otp", StringComparison.OrdinalIgnoreCase) || (expect.Slot ?? "").Contains("code", StringComparison.OrdinalIgnoreCase)
            ? RecordingPauseReason.OneTimePassword
            : RecordingPauseReason.Other;

    private DateOnly Today() => DateOnly.FromDateTime(_s.Time.GetUtcNow().UtcDateTime);

    public async ValueTask DisposeAsync()
    {
        _call.TapOutboundAudio(null);
        _consent?.TrySetCanceled();
        if (_call.Outbound) _s.Outcomes.End(_call.CallId);
        _items.Writer.TryComplete();
        await _ended.CancelAsync();
        try { await _loop; } catch { /* ended */ }
        if (_listening is not null) await _listening.DisposeAsync();
        if (_recording is { } recording) await FinishRecordingAsync(recording);
        _ended.Dispose();
    }

    /// <summary>
    /// Writes the recording's sidecar, unless its customer was erased during the call (through another node, or after
    /// this node's erasure pass): then the recording is deleted instead, so nothing of an erased customer stays.
    /// </summary>
    private async Task FinishRecordingAsync(CallRecording recording)
    {
        if (recording.Discarded)
        {
            _s.Logger.LogInformation("Call {CallRef} ended; its recording was deleted during the call (customer {CustomerId} erased)", CallRef, recording.CustomerId);
            return;
        }
        if (recording.CustomerId is null && _call.CustomerId is { } known) recording.AssignCustomer(known);
        if (recording.CustomerId is { } customerId)
        {
            try
            {
                var exists = await _s.Grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(_call.Tenant, customerId)).Exists().WaitAsync(TimeSpan.FromSeconds(10));
                if (!exists)
                {
                    if (recording.Discard())
                        _s.Logger.LogInformation("Recording of call {CallRef} deleted at the end of the call: customer {CustomerId} was erased during it", CallRef, customerId);
                    return;
                }
            }
            catch (Exception e)
            {
                // Kept: the sidecar names the customer, so a later erasure still finds it.
                _s.Logger.LogWarning(e, "Could not check whether the customer of call {CallRef} still exists; the recording is kept", CallRef);
            }
        }
        recording.Dispose();
        _s.Logger.LogInformation("Recording of call {CallRef} finished", CallRef);
    }

    private readonly record struct Item(short[]? Frame, long At, SpeechGrammar? Grammar, string? Spoken)
    {
        public bool StopListening { get; init; }
    }
}

/// <summary>CRM fields the voice agent writes on a handoff; the admin API shows them with the customer.</summary>
public static class HandoffFields
{
    public const string Summary = "handoff.summary";
    public const string At = "handoff.at";
    public const string Channel = "handoff.channel";
}
