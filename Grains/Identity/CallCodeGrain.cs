using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Identity;

[GenerateSerializer, Alias("call-code-state")]
public sealed class CallCodeState
{
    [Id(0)] public string? CustomerId { get; set; }
    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
}

public sealed class CallCodeGrain(
    [PersistentState("call-code", StorageNames.Main)] IPersistentState<CallCodeState> state,
    TimeProvider time) : Grain, ICallCodeGrain
{
    public async Task<bool> Claim(string customerId, DateTimeOffset expiresAt)
    {
        if (state.State.CustomerId is not null && state.State.ExpiresAt > time.GetUtcNow()) return false;
        state.State.CustomerId = customerId;
        state.State.ExpiresAt = expiresAt;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<string?> Redeem()
    {
        var customer = state.State.CustomerId;
        if (customer is null) return null;
        var valid = state.State.ExpiresAt > time.GetUtcNow();
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return valid ? customer : null;
    }
}
