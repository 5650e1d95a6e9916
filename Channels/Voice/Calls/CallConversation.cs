using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Telephony.Codecs;
using Switchboard.Telephony.Media;
using Switchboard.Telephony.Rtp;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Channels.Voice.Calls;

/// <summary>What a call's conversation needs from the rest of the voice channel.</summary>
public sealed record CallConversationServices(
    IGrainFactory Grains,
    IPromptAudio Prompts,
    IVoiceReplyRenderer Renderer,
    ICallMediaHandlerFactory? MediaHandlers,
    TimeProvider Time,
    TimeSpan InterDigitTimeout,
    ILogger Logger,
    WrittenConfirmations? Confirmations = null,
    string TransferFailedLine = "Sorry, I can't reach a colleague right now. Please call us again a little later.",
    Grains.Interfaces.Analytics.IInteractionEvents? Analytics = null,
    TurnCalls? Turns = null);

/// <summary>
/// The engine side of one answered call: the greeting turn, keyed digits as turns, replies spoken through
/// <see cref="IPromptAudio"/> → G.711 → paced RTP, call codes, and the reply actions (hand to agent, end).
/// Turns run one at a time in order on the call's own queue.
/// </summary>
public sealed class CallConversation : ICallSession, IAsyncDisposable
{
    private readonly CallConversationServices _services;
    private readonly RtpSession _media;
    private readonly ICallControl _control;
    private readonly System.Threading.Channels.Channel<Func<Task>> _work = System.Threading.Channels.Channel.CreateUnbounded<Func<Task>>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _ended = new();
    private readonly DigitCollector _digits;
    private readonly TurnPayload _startMarker;
    private ChannelAddress _address;
    private ICallMediaHandler? _handler;
    private EngineReply? _lastReply;
    private Task? _loop;
    private int _turns;
    private int _keyed;
    private IPromptAudio _prompts;

    public CallConversation(string callId, string tenant, ChannelAddress caller, TurnPayload startMarker, RtpSession media,
        CallConversationServices services, ICallControl control, bool outbound = false)
    {
        Outbound = outbound;
        CallId = callId;
        Tenant = tenant;
        _address = caller;
        _startMarker = startMarker;
        _media = media;
        _services = services;
        _prompts = services.Prompts;
        _control = control;
        _digits = new DigitCollector(services.Time, services.InterDigitTimeout, d => _work.Writer.TryWrite(() => DigitsTurnAsync(d)));
    }

    public string CallId { get; }
    public string Tenant { get; }
    public string? CustomerId { get; private set; }
    public AudioCodec Codec => _media.Codec;
    public bool IsPlaying => _media.IsPlaying;
    public bool Outbound { get; }
    public ChannelAddress? Address => _address;

    public void TapOutboundAudio(PcmFrameHandler? tap) => _media.AudioSent = tap;

    public IPromptAudio Prompts => Volatile.Read(ref _prompts);

    public void SpeakWith(IPromptAudio prompts) => Volatile.Write(ref _prompts, prompts ?? throw new ArgumentNullException(nameof(prompts)));

    /// <summary>A short, non-reversible reference to the call for logs.</summary>
    public string CallRef => CallReference.For(CallId);

    public void Start()
    {
        _handler = _services.MediaHandlers?.Create(this);
        if (_handler is { } h) _media.AudioReceived = frame => h.OnAudioFrame(frame);
        _work.Writer.TryWrite(() => StartTurnAsync());
        _media.SetDigitHandler(OnDigit);
        _loop = Task.Run(RunAsync);
    }

    private void OnDigit(char digit)
    {
        Interlocked.Increment(ref _keyed);
        _media.StopPlayback(); // barge-in: a key press interrupts the prompt
        if (_handler?.TryTakeDigit(digit) == true) return;
        _handler?.OnDigit(digit);
        _digits.Add(digit);
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(_ended.Token))
            {
                try { await work(); }
                catch (OperationCanceledException) when (_ended.IsCancellationRequested) { return; }
                catch (Exception e) { _services.Logger.LogError(e, "Voice turn failed on call {CallRef}", CallRef); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private IConversationIngressGrain Ingress() => ConversationIngress.For(_services.Grains, _address.Value);

    /// <summary>A session token carried by the INVITE (WhatsApp "call us" escalation); joined before the greeting.</summary>
    public string? SessionToken { get; init; }

    private async Task StartTurnAsync()
    {
        if (SessionToken is { Length: > 0 } token)
        {
            var callAddress = new ChannelAddress(AddressKind.SipCallId, CallId);
            var joined = await Ingress().JoinWithSessionToken(Tenant, token, callAddress);
            if (joined is not null)
            {
                _services.Logger.LogInformation("Call {CallRef} joined customer {CustomerId} with a session token", CallRef, joined);
                _address = callAddress;
                CustomerId = joined;
            }
            else _services.Logger.LogInformation("Call {CallRef} presented an invalid or expired session token", CallRef);
        }
        if (_handler is not null) await _handler.OnCallStartingAsync(_ended.Token);
        var result = await TurnAsync($"{CallId}/start", "", _startMarker);
        if (result is null) return;
        if (_address.Kind != AddressKind.SipCallId)
            await Ingress().LinkAddress(Tenant, result.CustomerId, new ChannelAddress(AddressKind.SipCallId, CallId));
    }

    private async Task DigitsTurnAsync(string digits)
    {
        if (VoiceTurns.IsCallCode(digits))
        {
            var joined = await Ingress().JoinWithCallCode(Tenant, digits[1..], new ChannelAddress(AddressKind.SipCallId, CallId));
            if (joined is null)
            {
                _services.Logger.LogInformation("Call code rejected on call {CallRef}", CallRef);
                await SpeakAsync("Sorry, that code was not recognised.");
                return;
            }
            _services.Logger.LogInformation("Call {CallRef} joined customer {CustomerId} with a call code", CallRef, joined);
            _address = new ChannelAddress(AddressKind.SipCallId, CallId);
            CustomerId = joined;
            await TurnAsync($"{CallId}/joined", "", VoiceTurns.CallCodeJoined);
            return;
        }
        var option = VoiceReplyText.OptionForDigits(_lastReply, digits);
        var n = Interlocked.Increment(ref _turns);
        await TurnAsync($"{CallId}/dtmf/{n}", null, VoiceTurns.Digits(digits, option?.Id));
    }

    public async Task<TurnResult?> SubmitTurnAsync(string? text, TurnPayload? payload = null, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _turns);
        var done = new TaskCompletionSource<TurnResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(async () =>
        {
            try { done.TrySetResult(await TurnAsync($"{CallId}/turn/{n}", text, payload)); }
            catch (Exception e) { done.TrySetException(e); }
        });
        return await done.Task.WaitAsync(cancellationToken);
    }

    private async Task<TurnResult?> TurnAsync(string messageId, string? text, TurnPayload? payload)
    {
        if (_ended.IsCancellationRequested) return null;
        var keyedBefore = Volatile.Read(ref _keyed);
        var turn = new InboundTurn(Tenant, Channel.Voice, _address, messageId, text, payload, _services.Time.GetUtcNow());
        var result = await (_services.Turns ?? new TurnCalls(_services.Grains)).ReceiveAsync(turn);
        CustomerId = result.CustomerId;
        _lastReply = result.Reply;
        if (_services.Logger.IsEnabled(LogLevel.Information))
            _services.Logger.LogInformation("Voice turn {MessageId} on call {CallRef} for customer {CustomerId}", CallReference.For(messageId), CallRef, result.CustomerId);
        // A flow completed on the phone leaves nothing in writing: its confirmation goes to the customer's messaging
        // channel, queued while the reply is spoken.
        var confirming = result.Reply.Completed is { } completed && !result.Duplicate && _services.Confirmations is { } confirmations
            ? ConfirmInWritingAsync(confirmations, result.CustomerId, completed, messageId)
            : Task.CompletedTask;
        var spoken = _services.Renderer.Render(result.Reply);
        if (_handler is not null) spoken = _handler.OnEngineReply(result, spoken);
        // Type-ahead: when the caller keyed something while this turn ran, its reply is not read out.
        var overtaken = result.Reply.Action is null && Volatile.Read(ref _keyed) != keyedBefore;
        var played = overtaken || await SpeakAsync(spoken, result.Reply.Action is null ? keyedBefore : null);
        switch (result.Reply.Action?.Kind)
        {
            case ReplyActionKind.HandToAgent when played:
                if (!await TryTransferAsync(result.Reply.Action.Target)) await TransferFailedAsync(result.CustomerId);
                break;
            case ReplyActionKind.EndConversation when played:
                await _control.HangUpAsync(CallId);
                break;
        }
        await confirming;
        return result;
    }

    private async Task<bool> TryTransferAsync(string? target)
    {
        try
        {
            return await _control.TransferAsync(CallId, target);
        }
        catch (InvalidOperationException e)
        {
            _services.Logger.LogWarning("Call {CallRef} cannot be handed to an agent: {Problem}", CallRef, e.Message);
            return false;
        }
    }

    /// <summary>The transfer was accepted but the agent's leg failed (a NOTIFY reporting busy, no answer, declined): the caller is told and the call ends.</summary>
    public void TransferFailed() => _work.Writer.TryWrite(() => CustomerId is { } customer ? TransferFailedAsync(customer) : _control.HangUpAsync(CallId));

    /// <summary>No transfer target, or the REFER was refused or unanswered: the caller is told so rather than left in silence, and the call ends.</summary>
    private async Task TransferFailedAsync(string customerId)
    {
        _services.Logger.LogWarning("Transfer of call {CallRef} for customer {CustomerId} failed; apologising and hanging up", CallRef, customerId);
        var line = _services.TransferFailedLine;
        try { await _services.Grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(Tenant, customerId)).RecordOutbound(Channel.Voice, line, null); }
        catch (Exception e) { _services.Logger.LogWarning(e, "Could not record a spoken line for call {CallRef}", CallRef); }
        await SpeakAsync(line);
        await _control.HangUpAsync(CallId);
    }

    private async Task ConfirmInWritingAsync(WrittenConfirmations confirmations, string customerId, FlowCompletion completed, string messageId)
    {
        try { await confirmations.SendAsync(Tenant, customerId, completed, messageId); }
        catch (Exception e) { _services.Logger.LogError(e, "Written confirmation failed for customer {CustomerId} on call {CallRef}", customerId, CallRef); }
    }

    /// <summary>Speaks text; when the reply ends the call or hands it over, waits for the prompt to finish first.</summary>
    private async Task<bool> SpeakAsync(string text, int? keyedBefore = null)
    {
        if (text.Length == 0) return true;
        // Keyed while the prompt's first piece was being made: the caller has moved on, do not play it.
        return await PlayStreamAsync(Prompts.StreamAsync(text, _ended.Token), _ended.Token,
            keyedBefore is { } k ? () => Volatile.Read(ref _keyed) != k : null);
    }

    public async Task<bool> PlayAsync(short[] pcm8kHz, CancellationToken cancellationToken = default)
    {
        var encoded = new byte[pcm8kHz.Length];
        G711.Encode(_media.Codec, pcm8kHz, encoded);
        var playback = _media.Play(encoded);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        await using var registration = stop.Token.Register(playback.Stop);
        return await playback.Completion;
    }

    public Task<bool> PlayAsync(IAsyncEnumerable<short[]> pcm8kHz, CancellationToken cancellationToken = default) =>
        PlayStreamAsync(pcm8kHz, cancellationToken, abandon: null);

    /// <summary>
    /// Plays audio that arrives in pieces (a reply synthesised sentence by sentence): playback starts with the first
    /// piece, later ones are appended as they come. Stopping (barge-in, hang-up) abandons the rest of the synthesis.
    /// </summary>
    private async Task<bool> PlayStreamAsync(IAsyncEnumerable<short[]> pcm8kHz, CancellationToken cancellationToken, Func<bool>? abandon)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        PromptPlayback? playback = null;
        try
        {
            await foreach (var piece in pcm8kHz.WithCancellation(stop.Token).ConfigureAwait(false))
            {
                if (playback is null)
                {
                    if (abandon?.Invoke() == true) return false;
                    playback = _media.Play(PromptPlayback.Streaming());
                    stop.Token.Register(playback.Stop);
                }
                if (playback.IsFinished) break; // stopped: no need for the rest
                playback.Append(EncodedPrompts.Get(_media.Codec, piece));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            playback?.Stop();
            return false;
        }
        finally
        {
            playback?.Complete();
        }
        return playback is null || await playback.Completion;
    }

    public void StopPlayback() => _media.StopPlayback();

    public Task HangUpAsync() => _control.HangUpAsync(CallId);

    public Task TransferAsync(string? targetUri = null) => _control.TransferAsync(CallId, targetUri);

    public async ValueTask DisposeAsync()
    {
        _media.SetDigitHandler(null);
        _media.AudioReceived = null;
        _digits.Dispose();
        _work.Writer.TryComplete();
        await _ended.CancelAsync();
        if (_loop is not null)
            try { await _loop; } catch { /* ended */ }
        if (_handler is not null) await _handler.DisposeAsync();
        _ended.Dispose();
    }
}

/// <summary>Call-IDs and message ids are linkable to a caller: logs carry a short hash instead.</summary>
public static class CallReference
{
    public static string For(string value)
    {
        // The first 5 bytes of SHA-256 as 10 hex digits; the UTF-8 bytes and the hash on the stack, one string made.
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        var utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        System.Text.Encoding.UTF8.GetBytes(value, utf8);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(utf8, hash);
        return Convert.ToHexStringLower(hash[..5]);
    }
}
