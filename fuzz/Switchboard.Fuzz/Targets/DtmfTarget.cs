using Switchboard.Telephony.Dtmf;

namespace Switchboard.Fuzz.Targets;

/// <summary>RFC 4733 telephone-event payloads: each 4 bytes of input is one payload, with a timestamp from the input, through one receiver.</summary>
public static class DtmfTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var receiver = new DtmfReceiver();
        Span<byte> written = stackalloc byte[4];
        _ = TelephoneEvent.TryRead(input, out _);
        for (var i = 0; i + 5 <= input.Length; i += 5)
        {
            var payload = input.Slice(i + 1, 4);
            if (TelephoneEvent.TryRead(payload, out var evt))
            {
                var digit = TelephoneEvent.ToDigit(evt.Event);
                if (digit is { } d && TelephoneEvent.FromDigit(d) != evt.Event) throw new InvalidOperationException($"Digit {d} does not map back to event {evt.Event}.");
                evt.Write(written);
                if (!TelephoneEvent.TryRead(written, out var again) || again != evt) throw new InvalidOperationException("A telephone event did not survive write and read.");
            }
            receiver.TryAccept(0x1234, input[i], payload, out _);
        }
    }
}
