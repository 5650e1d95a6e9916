namespace Switchboard.Dialog.Definition;

/// <summary>A goal: the slots it needs, an optional confirmation, then an action. Started by its intent.</summary>
public sealed class FlowDefinition
{
    public required string Name { get; init; }
    public required string Intent { get; init; }
    /// <summary>A short label for menus and buttons ("Rebook a flight"); 20 characters fit a WhatsApp button.</summary>
    public required string Title { get; init; }
    /// <summary>What the flow is doing, in words ("rebooking your missed connection"): the resume line's fallback step.</summary>
    public required Template Goal { get; init; }
    public required IReadOnlyList<SlotDefinition> Slots { get; init; }
    /// <summary>The question asked before cancelling a flow with filled slots ("Cancel your rebooking to {destination}?"); when it cannot be rendered, a generic one built from the goal.</summary>
    public Template? CancelPrompt { get; init; }
    public ConfirmDefinition? Confirm { get; init; }
    public required ActionDefinition Action { get; init; }
    /// <summary>The customer must have passed the bot's identity check (<see cref="BotDefinition.Verification"/>), here or on another channel, before the flow goes on.</summary>
    public bool Verify { get; init; }
    public string File { get; init; } = "";
    public int Line { get; init; }

    /// <summary>A flow with no slots and a built-in action ("call us") runs beside an open flow instead of replacing it.</summary>
    public bool IsSideAction => Slots.Count == 0 && Action.Builtin != BuiltinAction.None;

    public SlotDefinition? Slot(string? name) => name is null ? null : Slots.FirstOrDefault(s => s.Name == name);
}

public sealed class SlotDefinition
{
    public required string Name { get; init; }
    /// <summary>A built-in type (<see cref="BuiltinSlotTypes"/>) or the name of an entity.</summary>
    public required string Type { get; init; }
    public required Template Prompt { get; init; }
    public Template? Reprompt { get; init; }
    public Template? Invalid { get; init; }
    /// <summary>The pending step while this slot is asked, for the resume line ("choosing the date of your new flight").</summary>
    public Template? Step { get; init; }
    /// <summary>Quick replies offered with the prompt (enumeration values by default when <see cref="OfferValues"/>).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
    public bool OfferValues { get; init; }
    /// <summary>Dates: must not be before today. Times: nothing. Numbers: <see cref="Min"/>/<see cref="Max"/>.</summary>
    public bool Future { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>The answer is a secret (OTP, PIN): the grain tokenizes bare digits while it is asked.</summary>
    public bool Secret { get; init; }
    /// <summary>Kept after the flow ends and offered to later flows with a slot of the same name (booking reference, plate).</summary>
    public bool Remember { get; init; }
}

public sealed class ConfirmDefinition
{
    public required Template Prompt { get; init; }
    public Template? Step { get; init; }
}

public sealed class ActionDefinition
{
    public BuiltinAction Builtin { get; init; }
    public HttpActionDefinition? Http { get; init; }
    public required Template Success { get; init; }
    public Template? Failure { get; init; }
    /// <summary>
    /// The written record of a completed flow, sent to the customer's messaging channel when the flow completes on a
    /// channel that leaves nothing in writing (a phone call). The success text is used when absent.
    /// </summary>
    public Template? Confirmation { get; init; }
    /// <summary>The result used when the bot has no backend configured (out-of-the-box demo), as <c>{result.key}</c> values.</summary>
    public IReadOnlyDictionary<string, string> Demo { get; init; } = new Dictionary<string, string>();
    /// <summary>Quick replies offered with the success message: intent names the customer may pick next.</summary>
    public IReadOnlyList<string> Next { get; init; } = [];
}

public sealed class HttpActionDefinition
{
    public required string Path { get; init; }
    public string Method { get; init; } = "POST";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);
}

public static class BuiltinSlotTypes
{
    public const string Date = "date";
    public const string Time = "time";
    public const string Number = "number";
    public const string BookingReference = "booking_reference";
    public const string YesNo = "yes_no";
    public const string Phone = "phone";
    public const string Text = "text";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Date, Time, Number, BookingReference, YesNo, Phone, Text,
    };
}
