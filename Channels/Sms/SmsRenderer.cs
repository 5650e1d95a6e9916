using System.Text;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Sms;

public sealed record SmsRendering(string Text, SmsAlphabet Alphabet, int Segments);

/// <summary>
/// Plain text for SMS: options numbered, a card as short lines, a call line with the call code, a link for "continue
/// on web"; kept to a few segments and to GSM-7 where the content allows (one emoji would double the cost).
/// </summary>
public static class SmsRenderer
{
    public static SmsRendering Render(EngineReply reply, int maxSegments = 6, string? voiceNumber = null, string? callCode = null, string? webLink = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var sb = new StringBuilder();
        if (reply.Card is { } card)
        {
            sb.Append(card.Title);
            if (!string.IsNullOrWhiteSpace(card.Subtitle)) sb.Append(" - ").Append(card.Subtitle);
            foreach (var (k, v) in card.Facts ?? new Dictionary<string, string>()) sb.Append('\n').Append(k).Append(": ").Append(v);
            sb.Append('\n');
        }
        sb.Append(reply.Text.Trim());
        var options = reply.OptionList;
        for (var i = 0; i < options.Count; i++) sb.Append('\n').Append(i + 1).Append(") ").Append(options[i].Title);
        if (options.Count > 0) sb.Append("\nReply with a number.");
        switch (reply.Action?.Kind)
        {
            case ReplyActionKind.CallUs when (reply.Action.Target ?? voiceNumber) is { } number:
                sb.Append("\nCall ").Append(number);
                if (callCode is not null) sb.Append(" and key *").Append(callCode).Append('#');
                break;
            case ReplyActionKind.ContinueOnWeb when webLink is not null:
                sb.Append('\n').Append(webLink);
                break;
        }
        var text = SmsEncoding.Fit(ToGsmWherePossible(sb.ToString()), maxSegments);
        return new SmsRendering(text, SmsEncoding.AlphabetOf(text), SmsEncoding.Segments(text));
    }

    /// <summary>Typographic quotes, dashes and ellipses have GSM-7 equivalents; replacing them keeps a message at 160 per part instead of 70.</summary>
    public static string ToGsmWherePossible(string text) => text
        .Replace('‘', '\'').Replace('’', '\'').Replace('“', '"').Replace('”', '"')
        .Replace('–', '-').Replace('—', '-').Replace("…", "...", StringComparison.Ordinal).Replace('→', '>').Replace('•', '-')
        .Replace('\u00A0', ' ');
}
