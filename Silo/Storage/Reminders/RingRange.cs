namespace Switchboard.Silo.Storage.Reminders;

/// <summary>A silo's share of the consistent-hash ring, as Orleans asks a reminder table for it.</summary>
public static class RingRange
{
    /// <summary>
    /// True when <paramref name="hash"/> lies in (begin, end]: begin == end is the whole ring, and begin &gt; end wraps
    /// past <see cref="uint.MaxValue"/> to zero.
    /// </summary>
    public static bool Contains(uint begin, uint end, uint hash) =>
        begin == end || (begin < end ? hash > begin && hash <= end : hash > begin || hash <= end);
}
