using Switchboard.Grains.Interfaces.Identity;

namespace Switchboard.Grains.Identity;

[GenerateSerializer, Alias("identity-state")]
public sealed class IdentityState
{
    [Id(0)] public string? CustomerId { get; set; }
}

public sealed class IdentityGrain(
    [PersistentState("identity", StorageNames.Main)] IPersistentState<IdentityState> state) : Grain, IIdentityGrain
{
    public Task<string?> GetCustomerId() => Task.FromResult(state.State.CustomerId);

    public async Task<string> GetOrBind(string candidateCustomerId)
    {
        if (state.State.CustomerId is { } existing) return existing;
        state.State.CustomerId = candidateCustomerId;
        await state.WriteStateAsync();
        return candidateCustomerId;
    }

    public async Task Bind(string customerId)
    {
        if (state.State.CustomerId == customerId) return;
        state.State.CustomerId = customerId;
        await state.WriteStateAsync();
    }

    public async Task Unbind(string customerId)
    {
        if (state.State.CustomerId != customerId) return;
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
