using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Journeys.Model;

/// <summary>Channels in JSON by their wire names (<c>whatsapp</c>, <c>rcs</c>, <c>sms</c>, <c>voice</c>), as everywhere else in the API.</summary>
public sealed class JourneyChannelJsonConverter : JsonConverter<JourneyChannel>
{
    public override JourneyChannel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JourneyChannels.TryParse(reader.GetString(), out var c) ? c : throw new JsonException($"'{reader.GetString()}' is not a channel");

    public override void Write(Utf8JsonWriter writer, JourneyChannel value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToWire());
}
