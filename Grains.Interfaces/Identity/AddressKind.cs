namespace Switchboard.Grains.Interfaces.Identity;

/// <summary>The kinds of address by which a customer is reached. A WhatsApp id, an SMS/RCS sender and a caller id all normalise to <see cref="Phone"/>.</summary>
[GenerateSerializer, Alias("address-kind")]
public enum AddressKind
{
    Phone = 0,
    WhatsApp = 1,
    SipCallId = 2,
    WebVisitor = 3,
    CrmId = 4,
}

public static class AddressKindNames
{
    public static string ToWire(this AddressKind kind) => kind switch
    {
        AddressKind.Phone => "phone",
        AddressKind.WhatsApp => "whatsapp",
        AddressKind.SipCallId => "sip-call-id",
        AddressKind.WebVisitor => "webchat",
        AddressKind.CrmId => "crm",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Accepts the address kinds and the channel names of the admin API (<c>channel=whatsapp|sms|rcs|voice|phone|webchat|sip|crm</c>).</summary>
    public static bool TryParse(string? wire, out AddressKind kind)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "phone" or "sms" or "rcs" or "voice" or "tel": kind = AddressKind.Phone; return true;
            case "whatsapp": kind = AddressKind.WhatsApp; return true;
            case "sip-call-id" or "callid" or "call-id": kind = AddressKind.SipCallId; return true;
            case "webchat" or "web" or "visitor": kind = AddressKind.WebVisitor; return true;
            case "crm": kind = AddressKind.CrmId; return true;
            default: kind = default; return false;
        }
    }
}
