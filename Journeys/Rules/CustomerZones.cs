using PhoneNumbers;

namespace Switchboard.Journeys.Rules;

/// <summary>
/// The time zones a customer may be in: the profile's zone when known, else the zones of the phone number's region
/// (libphonenumber's map; a US number may give several), else the tenant's default. Time rules must hold in every one
/// of them, so an ambiguous number never gets a message in its quiet hours.
/// </summary>
public sealed record CustomerZones(IReadOnlyList<TimeZoneInfo> Zones, string Source)
{
    private static readonly PhoneNumberToTimeZonesMapper Mapper = PhoneNumberToTimeZonesMapper.GetInstance();

    public static CustomerZones Of(string zoneId) => new([TimeZoneInfo.FindSystemTimeZoneById(zoneId)], "given");

    public static CustomerZones Resolve(string? profileZone, string? e164, string tenantDefaultZone)
    {
        if (profileZone is not null && TryFind(profileZone, out var z)) return new([z], "profile");
        if (e164 is not null)
        {
            try
            {
                var number = PhoneNumberUtil.GetInstance().Parse(e164, null);
                var zones = Mapper.GetTimeZonesForNumber(number)
                    .Where(id => id != "Etc/Unknown")
                    .Select(id => TryFind(id, out var tz) ? tz : null)
                    .OfType<TimeZoneInfo>()
                    .ToList();
                if (zones.Count > 0) return new(zones, "phone-region");
            }
            catch (NumberParseException) { }
        }
        return new([TimeZoneInfo.FindSystemTimeZoneById(tenantDefaultZone)], "tenant-default");
    }

    public IEnumerable<string> Ids => Zones.Select(z => z.Id);

    private static bool TryFind(string id, out TimeZoneInfo zone)
    {
        try { zone = TimeZoneInfo.FindSystemTimeZoneById(id); return true; }
        catch (TimeZoneNotFoundException) { zone = TimeZoneInfo.Utc; return false; }
        catch (InvalidTimeZoneException) { zone = TimeZoneInfo.Utc; return false; }
    }
}
