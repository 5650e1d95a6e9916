namespace Switchboard.Analytics.Metrics;

/// <summary>
/// What the ROI figure is computed from (section <c>Analytics:Costs</c>), in one currency of the operator's choice:
/// a price per message on each channel, per voice minute, per human-agent minute, and how many agent minutes a
/// conversation takes when a human handles all of it (the all-human baseline).
/// </summary>
public sealed class CostModel
{
    public const string Section = "Analytics:Costs";

    public string Currency { get; set; } = "USD";
    /// <summary>Per message exchanged (one customer turn and its reply, or one outbound message), by channel wire name.</summary>
    public Dictionary<string, decimal> PerMessage { get; set; } = new()
    {
        ["whatsapp"] = 0.01m, ["webchat"] = 0m, ["sms"] = 0.0075m, ["rcs"] = 0.01m, ["voice"] = 0m,
    };
    public decimal PerVoiceMinute { get; set; } = 0.02m;
    public decimal PerAgentMinute { get; set; } = 0.50m;
    /// <summary>Agent minutes a handoff costs when its event does not say (DurationMs).</summary>
    public double AgentMinutesPerHandoff { get; set; } = 6;
    /// <summary>Agent minutes one conversation takes when a human handles it from the start.</summary>
    public double AgentMinutesPerConversation { get; set; } = 6;

    public void Validate()
    {
        if (PerMessage.Values.Any(v => v < 0) || PerVoiceMinute < 0 || PerAgentMinute < 0 || AgentMinutesPerHandoff < 0 || AgentMinutesPerConversation < 0)
            throw new InvalidOperationException($"{Section}: costs and minutes must not be negative.");
        if (string.IsNullOrWhiteSpace(Currency) || Currency.Length > 8)
            throw new InvalidOperationException($"{Section}:Currency must be a short currency code (USD, EUR, INR).");
    }
}
