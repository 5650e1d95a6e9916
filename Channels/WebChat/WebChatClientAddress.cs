using System.Net;
using System.Net.Sockets;

namespace Switchboard.Channels.WebChat;

/// <summary>
/// The key a browser's address is counted under for <see cref="WebChatOptions.PerAddressLimits"/>: an IPv4 address as it
/// is (an IPv4-mapped IPv6 peer counts as its IPv4 address), an IPv6 address by its /64 (one host is commonly given a
/// whole /64, so counting single IPv6 addresses would give it 2^64 budgets). Null means "not counted": an unknown peer
/// or, with <see cref="WebChatOptions.PerAddressLimits.ExemptLoopback"/>, this host itself. The key is held in memory
/// only and never logged (an address can identify a person).
/// </summary>
public static class WebChatClientAddress
{
    public static string? KeyOf(IPAddress? address, WebChatOptions.PerAddressLimits limits)
    {
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (limits.ExemptLoopback && IPAddress.IsLoopback(address)) return null;
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
