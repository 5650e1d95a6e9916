using System.Security.Cryptography;
using System.Text;
using Switchboard.Grains.Interfaces;
using Switchboard.Grains.Interfaces.Identity;
using Switchboard.Grains.Pii;

namespace Switchboard.Grains.Identity;

/// <summary>Keys identity grains by an HMAC of the normalised address (per tenant), so grain ids, Redis keys, file names and the dashboard never show a phone number.</summary>
public sealed class AddressPseudonyms(CustomerKeys keys)
{
    public string IdentityKey(string tenant, ChannelAddress normalized)
    {
        var mac = HMACSHA256.HashData(keys.AddressKey(tenant), Encoding.UTF8.GetBytes(normalized.Kind.ToWire() + "\0" + normalized.Value));
        return GrainKeys.Identity(tenant, normalized.Kind, Convert.ToHexStringLower(mac.AsSpan(0, 16)));
    }
}
