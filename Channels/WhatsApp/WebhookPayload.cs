using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Channels.WhatsApp;

/// <summary>The Cloud API webhook body, as much of it as we use. Unknown fields are ignored; unknown message types are kept as their type name.</summary>
public sealed class WebhookPayload
{
    public string? Object { get; set; }
    public List<WebhookEntry>? Entry { get; set; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        MaxDepth = 32,
    };
}

public sealed class WebhookEntry
{
    public string? Id { get; set; }
    public List<WebhookChange>? Changes { get; set; }
}

public sealed class WebhookChange
{
    public string? Field { get; set; }
    public ChangeValue? Value { get; set; }
}

public sealed class ChangeValue
{
    public string? MessagingProduct { get; set; }
    public ChangeMetadata? Metadata { get; set; }
    public List<WaMessage>? Messages { get; set; }
    public List<WaStatus>? Statuses { get; set; }
    public List<WaUserPreference>? UserPreferences { get; set; }
}

public sealed class ChangeMetadata
{
    public string? DisplayPhoneNumber { get; set; }
    public string? PhoneNumberId { get; set; }
}

public sealed class WaMessage
{
    public string? From { get; set; }
    public string? Id { get; set; }
    public long Timestamp { get; set; }
    public string? Type { get; set; }
    public WaText? Text { get; set; }
    public WaInteractive? Interactive { get; set; }
    public WaButton? Button { get; set; }
    public WaLocation? Location { get; set; }
    public WaMedia? Image { get; set; }
    public WaMedia? Audio { get; set; }
    public WaMedia? Video { get; set; }
    public WaMedia? Document { get; set; }
    public WaMedia? Sticker { get; set; }
    public WaReaction? Reaction { get; set; }
    public WaContext? Context { get; set; }
}

public sealed class WaText { public string? Body { get; set; } }

public sealed class WaInteractive
{
    public string? Type { get; set; }
    public WaReply? ButtonReply { get; set; }
    public WaReply? ListReply { get; set; }
}

public sealed class WaReply
{
    public string? Id { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
}

public sealed class WaButton
{
    public string? Payload { get; set; }
    public string? Text { get; set; }
}

public sealed class WaLocation
{
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public string? Name { get; set; }
    public string? Address { get; set; }
}

public sealed class WaMedia
{
    public string? Id { get; set; }
    public string? MimeType { get; set; }
    public string? Sha256 { get; set; }
    public string? Caption { get; set; }
    public string? Filename { get; set; }
}

public sealed class WaReaction
{
    public string? MessageId { get; set; }
    public string? Emoji { get; set; }
}

public sealed class WaContext
{
    public string? From { get; set; }
    public string? Id { get; set; }
}

public sealed class WaStatus
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    public long Timestamp { get; set; }
    public string? RecipientId { get; set; }
    public List<WaError>? Errors { get; set; }
}

public sealed class WaError
{
    public int Code { get; set; }
    public string? Title { get; set; }
}

public sealed class WaUserPreference
{
    public string? WaId { get; set; }
    public string? Category { get; set; }
    public string? Value { get; set; }
    public long Timestamp { get; set; }
}
