using Microsoft.AspNetCore.Http;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Channels.Common;

/// <summary>Every admin call carries <c>Authorization: Bearer &lt;Admin:ApiKey&gt;</c>, compared in constant time.</summary>
public sealed class AdminKeyFilter(AdminOptions options) : IEndpointFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(options.ApiKey!);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // The host authenticated the caller already (its admin keys, scopes included): nothing left to check here.
        if (context.HttpContext.User.Identity?.IsAuthenticated == true) return next(context);
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return ValueTask.FromResult<object?>(Problems.Unauthorized("Send Authorization: Bearer <Admin:ApiKey>."));
        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
            return ValueTask.FromResult<object?>(Problems.Unauthorized("The admin API key is not valid."));
        return next(context);
    }
}
