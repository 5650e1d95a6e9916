using System.Security.Cryptography;
using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Identity;

/// <summary>Claims a free six-digit call code for a customer (see <see cref="ICallCodeGrain"/>).</summary>
public static class CallCodes
{
    public static async Task<string> ClaimAsync(IGrainFactory grains, string tenant, string customerId, DateTimeOffset expiresAt)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
            if (await grains.GetGrain<ICallCodeGrain>($"{tenant}/{code}").Claim(customerId, expiresAt)) return code;
        }
        throw new InvalidOperationException("No free call code after 20 attempts.");
    }
}
