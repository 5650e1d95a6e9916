namespace Switchboard.Grains.Interfaces.Identity;

/// <summary>An address that cannot name a customer: bad phone number, bad visitor id. Maps to 400 at the edge.</summary>
[GenerateSerializer, Alias("invalid-address")]
public sealed class InvalidAddressException : ArgumentException
{
    public InvalidAddressException() { }

    public InvalidAddressException(string message) : base(message) { }

    public InvalidAddressException(string message, Exception inner) : base(message, inner) { }
}
