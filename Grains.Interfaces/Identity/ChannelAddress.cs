namespace Switchboard.Grains.Interfaces.Identity;

/// <summary>A normalised address: phone numbers in E.164, WhatsApp ids as digits, the rest as given.</summary>
[GenerateSerializer, Immutable, Alias("channel-address")]
public sealed record ChannelAddress([property: Id(0)] AddressKind Kind, [property: Id(1)] string Value)
{
    public override string ToString() => $"{Kind.ToWire()}:{Value}";
}
