namespace Switchboard.Grains.Interfaces.Identity;

/// <summary>One activation per (tenant, call code): the customer it stands for until it is used or expires. Key: "{tenant}/{code}".</summary>
[Alias("call-code-grain")]
public interface ICallCodeGrain : IGrainWithStringKey
{
    /// <summary>Claims this code for a customer; false when the code is already taken and unexpired.</summary>
    [Alias("claim")]
    Task<bool> Claim(string customerId, DateTimeOffset expiresAt);

    /// <summary>The customer, once; null when unknown, used or expired.</summary>
    [Alias("redeem")]
    Task<string?> Redeem();
}
