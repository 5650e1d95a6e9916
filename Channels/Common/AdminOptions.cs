using Microsoft.Extensions.Configuration;
using System.Security.Cryptography;

namespace Switchboard.Channels.Common;

/// <summary>Section <c>Admin</c>. With no <see cref="ApiKey"/>, one is generated at start and printed once.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? ApiKey { get; set; }

    public static AdminOptions Resolve(IConfiguration config, TextWriter announce)
    {
        var options = config.GetSection(Section).Get<AdminOptions>() ?? new AdminOptions();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            options.ApiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            announce.WriteLine($"Admin:ApiKey is not set; generated one for this run: {options.ApiKey}");
        }
        else if (options.ApiKey.Length < 16)
        {
            throw new InvalidOperationException("Admin:ApiKey must be at least 16 characters.");
        }
        return options;
    }
}
