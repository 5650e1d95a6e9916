using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchboard.Channels.Common;
using Switchboard.Channels.Outbox;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Conversation;
using Switchboard.Grains.Interfaces.Customers;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Interfaces.Outbox;
using Switchboard.Tenancy;

namespace Switchboard.Channels.WebChat;

/// <summary>
/// One visitor's socket. On connect it sends the transcript so far (the conversation resumes across reloads and
/// reconnects, whichever channel it started on); each frame is a turn, idempotent on its client id, so a frame resent
/// after a reconnect is answered with the same reply rather than processed twice.
/// </summary>
public sealed class WebChatSession(WebSocket socket, TenantOptions tenant, string visitorId, string? addressKey, IGrainFactory grains, TurnCalls turns, OutboxClient outbox,
    WebChatOptions options, WebChatVisitorLimits limits, TimeProvider time, ILogger logger)
{
    private readonly ChannelAddress _address = new(AddressKind.WebVisitor, visitorId);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private IConversationIngressGrain Ingress => ConversationIngress.For(grains, visitorId);

    public async Task RunAsync(CancellationToken ct)
    {
        await SendHistory(ct);
        var buffer = new byte[options.MaxFrameBytes];
        while (socket.State == WebSocketState.Open && !ct.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", ct);
                    return;
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                length += result.Count;
            } while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return;
            }
            if (result.MessageType != WebSocketMessageType.Text) continue;
            if (!limits.TryFrame(visitorId, addressKey))
            {
                await Send(new JsonObject { ["type"] = "error", ["message"] = "Too many messages at once. Please wait a moment." }, ct);
                continue;
            }
            await HandleFrame(buffer.AsMemory(0, length), ct);
        }
    }

    private async Task HandleFrame(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        JsonObject frame;
        try
        {
            frame = JsonNode.Parse(bytes.Span) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            await Send(new JsonObject { ["type"] = "error", ["message"] = "That frame was not valid JSON." }, ct);
            return;
        }
        var type = frame["type"]?.GetValueKind() == JsonValueKind.String ? frame["type"]!.GetValue<string>() : null;
        var id = frame["id"]?.GetValueKind() == JsonValueKind.String ? frame["id"]!.GetValue<string>() : null;
        if (id is null || id.Length is 0 or > 64)
        {
            await Send(Error(null, "Every frame needs an id of 1 to 64 characters."), ct);
            return;
        }
        switch (type)
        {
            case "message":
                var text = Str(frame, "text");
                if (string.IsNullOrWhiteSpace(text) || text.Length > options.MaxTextLength)
                {
                    await Send(Error(id, $"A message is 1 to {options.MaxTextLength} characters."), ct);
                    return;
                }
                await Turn(id, text, null, ct);
                break;
            case "choice":
                var optionId = Str(frame, "optionId");
                if (string.IsNullOrWhiteSpace(optionId) || optionId.Length > 256)
                {
                    await Send(Error(id, "A choice names the option it picked."), ct);
                    return;
                }
                await Turn(id, null, new TurnPayload(PayloadKind.Choice, optionId, Str(frame, "title") is { Length: <= 256 } t ? t : null), ct);
                break;
            case "link":
                await Link(id, Str(frame, "code") ?? "", ct);
                break;
            case "typing":
                break;
            default:
                await Send(Error(id, "Unknown frame type."), ct);
                break;
        }
    }

    private async Task Turn(string frameId, string? text, TurnPayload? payload, CancellationToken ct)
    {
        await Send(new JsonObject { ["type"] = "typing", ["on"] = true }, ct);
        var messageId = $"web:{visitorId}:{frameId}";
        var result = await turns.ReceiveAsync(new InboundTurn(tenant.Id, Channel.WebChat, _address, messageId, text, payload, time.GetUtcNow(),
            TurnRules.Plain(options.CallCodeLifetime, TimeSpan.Zero)));
        if (result.Duplicate && result.Reply.IsEmpty)
        {
            await Send(new JsonObject { ["type"] = "typing", ["on"] = false }, ct);
            await Send(new JsonObject { ["type"] = "ack", ["replyTo"] = frameId }, ct);
            return;
        }
        var code = result.Reply.Action?.Kind == ReplyActionKind.CallUs ? result.Reply.Action.CallCode : null;
        var frame = WebChatRenderer.Render(result.Reply, frameId, tenant.VoiceNumber, code);
        await outbox.EnqueueAsync(new OutboundMessage(tenant.Id, result.CustomerId, Channel.WebChat, visitorId, OutboundKind.FreeForm,
            frame.ToJsonString(), result.Reply.Text.Length > 120 ? result.Reply.Text[..117] + "..." : result.Reply.Text,
            $"web-reply:{result.CustomerId}:{messageId}", OutboundDelivery.Inline), purpose: null);
        await Send(new JsonObject { ["type"] = "typing", ["on"] = false }, ct);
        await Send(frame, ct);
        logger.LogInformation("Web chat turn {MessageId} answered for customer {CustomerId}", frameId, result.CustomerId);
    }

    private async Task Link(string frameId, string code, CancellationToken ct)
    {
        var customerId = await Ingress.JoinWithCallCode(tenant.Id, code.Trim(), _address);
        if (customerId is null)
        {
            await Send(Error(frameId, "That code is not valid or has been used."), ct);
            return;
        }
        logger.LogInformation("Web chat visitor linked to customer {CustomerId} by code", customerId);
        await Send(new JsonObject { ["type"] = "linked", ["replyTo"] = frameId }, ct);
        await SendHistory(ct);
    }

    private async Task SendHistory(CancellationToken ct)
    {
        var customerId = await Ingress.Resolve(tenant.Id, _address);
        var turns = new JsonArray();
        if (customerId is not null)
        {
            var page = await grains.GetGrain<ICustomerGrain>(GrainKeys.Customer(tenant.Id, customerId)).GetTranscript();
            foreach (var t in page.Turns.TakeLast(options.HistoryTurns))
                turns.Add(new JsonObject
                {
                    ["direction"] = t.Direction == Direction.Inbound ? "inbound" : "outbound",
                    ["channel"] = t.Channel.ToWire(),
                    ["text"] = t.Direction == Direction.Inbound ? WebChatRenderer.AsTheCustomerSawIt(t.Text) : t.Text,
                    ["time"] = t.Time.ToString("O"),
                });
        }
        await Send(new JsonObject { ["type"] = "history", ["turns"] = turns }, ct);
    }

    private static JsonObject Error(string? replyTo, string message) => new() { ["type"] = "error", ["replyTo"] = replyTo, ["message"] = message };

    private static string? Str(JsonObject o, string name) => o[name]?.GetValueKind() == JsonValueKind.String ? o[name]!.GetValue<string>() : null;

    private async Task Send(JsonObject frame, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(frame.ToJsonString());
        await _sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.Open) await socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
