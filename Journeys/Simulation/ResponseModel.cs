using Switchboard.Journeys.Model;

namespace Switchboard.Journeys.Simulation;

/// <summary>
/// How synthetic customers answer: the chance they reply to a message per channel and how soon, opt out, say the goal
/// intent when they reply, answer a call and book on it; the share of handsets with RCS; how consent starts.
/// </summary>
public sealed record ResponseModel
{
    public IReadOnlyDictionary<JourneyChannel, double> ReplyRate { get; init; } = new Dictionary<JourneyChannel, double>
    {
        [JourneyChannel.WhatsApp] = 0.35, [JourneyChannel.Rcs] = 0.25, [JourneyChannel.Sms] = 0.10,
    };
    public TimeSpan MeanReplyDelay { get; init; } = TimeSpan.FromHours(3);
    public double OptOutRate { get; init; } = 0.02;
    public double GoalIntentOnReply { get; init; } = 0.4;
    public string GoalIntent { get; init; } = "book_service";
    public double AnswerRate { get; init; } = 0.6;
    public double BookOnAnsweredCall { get; init; } = 0.7;
    public double DeliveryFailRate { get; init; } = 0.02;
    public double RcsCapableShare { get; init; } = 0.6;
    /// <summary>Chance a channel's consent for the journey's purpose starts granted.</summary>
    public double ConsentGranted { get; init; } = 0.85;
    /// <summary>Chance the customer wrote to us in the last day (WhatsApp's window is open at enrolment).</summary>
    public double RecentInbound { get; init; } = 0.2;
    /// <summary>Customers' phone regions, drawn uniformly (the time zone comes from the number).</summary>
    public IReadOnlyList<string> Regions { get; init; } = ["+919800000001", "+447700900001", "+12025550101", "+13105550101", "+5511987654321", "+971501234567", "+6591234567"];
}
