using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.WhatsApp;

/// <summary>What a reply needs besides itself: the voice number and call code for a call button, the link for "continue on web".</summary>
public sealed record WhatsAppRenderContext(string? VoiceNumber = null, string? CallCode = null, string? WebLink = null);

/// <summary>One or more Cloud API message objects (without <c>to</c>), in sending order, and a one-line summary for the outbox listing.</summary>
public sealed record WhatsAppRendering(IReadOnlyList<JsonObject> Messages, string Summary);

/// <summary>
/// Turns an <see cref="EngineReply"/> into Cloud API messages within Meta's limits: up to 3 reply buttons (titles ≤ 20,
/// unique), else a list (≤ 10 rows, titles ≤ 24, descriptions ≤ 72), else numbered text. Interactive bodies are capped at
/// 1024: a longer text goes first as a plain message. Text messages are split at 4096.
/// </summary>
public static class WhatsAppRenderer
{
    public const int MaxTextBody = 4096;
    public const int MaxInteractiveBody = 1024;
    public const int MaxButtons = 3;
    public const int MaxButtonTitle = 20;
    public const int MaxButtonId = 256;
    public const int MaxListRows = 10;
    public const int MaxRowTitle = 24;
    public const int MaxRowDescription = 72;
    public const int MaxRowId = 200;
    public const int MaxListButton = 20;
    public const string ChooseShortBody = "Please choose an option:";

    public static WhatsAppRendering Render(EngineReply reply, WhatsAppRenderContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        context ??= new WhatsAppRenderContext();
        var messages = new List<JsonObject>();
        var body = Compose(reply);
        var options = reply.OptionList;

        if (options.Count == 0)
        {
            foreach (var chunk in Split(body, MaxTextBody)) messages.Add(Text(chunk));
        }
        else if (CanUseButtons(reply.Style, options))
        {
            messages.AddRange(Interactive(body, text => Buttons(text, options)));
        }
        else if (CanUseList(options))
        {
            messages.AddRange(Interactive(body, text => List(text, options)));
        }
        else
        {
            foreach (var chunk in Split(Numbered(body, options), MaxTextBody)) messages.Add(Text(chunk));
        }

        switch (reply.Action)
        {
            case { Kind: ReplyActionKind.CallUs }:
                var number = reply.Action.Target ?? context.VoiceNumber;
                if (number is not null) messages.Add(CallButton(number, context.CallCode));
                break;
            case { Kind: ReplyActionKind.ContinueOnWeb } when context.WebLink is not null:
                messages.Add(UrlButton("Continue this conversation in your browser.", "Continue on web", context.WebLink));
                break;
        }
        var summary = body.Length > 120 ? body[..117] + "..." : body;
        if (options.Count > 0) summary += $" [{options.Count} options]";
        if (reply.Action is { } a) summary += $" [{a.Kind}]";
        return new WhatsAppRendering(messages, summary);
    }

    /// <summary>The call button: a <c>tel:</c> CTA and, for a withheld caller id, the single-use code to key in.</summary>
    public static JsonObject CallButton(string number, string? callCode)
    {
        var text = callCode is null
            ? $"Call us on {number}."
            : $"Call us on {number}. If your number is hidden, key *{callCode}# when asked so we can pick up this conversation.";
        return UrlButton(text, "Call us", "tel:" + number.Replace(" ", "", StringComparison.Ordinal));
    }

    public static JsonObject UrlButton(string body, string label, string url) => new()
    {
        ["type"] = "interactive",
        ["interactive"] = new JsonObject
        {
            ["type"] = "cta_url",
            ["body"] = new JsonObject { ["text"] = Cap(body, MaxInteractiveBody) },
            ["action"] = new JsonObject
            {
                ["name"] = "cta_url",
                ["parameters"] = new JsonObject { ["display_text"] = Cap(label, MaxButtonTitle), ["url"] = url },
            },
        },
    };

    public static JsonObject Text(string body) => new()
    {
        ["type"] = "text",
        ["text"] = new JsonObject { ["preview_url"] = false, ["body"] = body },
    };

    public static JsonObject Template(string name, string language, IReadOnlyList<string> parameters)
    {
        var template = new JsonObject { ["name"] = name, ["language"] = new JsonObject { ["code"] = language } };
        if (parameters.Count > 0)
            template["components"] = new JsonArray(new JsonObject
            {
                ["type"] = "body",
                ["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject { ["type"] = "text", ["text"] = p }).ToArray()),
            });
        return new JsonObject { ["type"] = "template", ["template"] = template };
    }

    private static string Compose(EngineReply reply)
    {
        var sb = new StringBuilder();
        if (reply.Card is { } card)
        {
            sb.Append('*').Append(card.Title).Append('*');
            if (!string.IsNullOrWhiteSpace(card.Subtitle)) sb.Append('\n').Append(card.Subtitle);
            foreach (var (k, v) in card.Facts ?? new Dictionary<string, string>()) sb.Append("\n• ").Append(k).Append(": ").Append(v);
            if (!string.IsNullOrWhiteSpace(reply.Text)) sb.Append("\n\n");
        }
        sb.Append(reply.Text);
        var s = sb.ToString().Trim();
        return s.Length == 0 ? "…" : s;
    }

    private static bool CanUseButtons(ReplyStyle style, IReadOnlyList<ReplyOption> options) =>
        style != ReplyStyle.List
        && options.Count <= MaxButtons
        && options.All(o => o.Title.Length is > 0 and <= MaxButtonTitle && o.Id.Length is > 0 and <= MaxButtonId)
        && options.Select(o => o.Title).Distinct(StringComparer.Ordinal).Count() == options.Count
        && options.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count() == options.Count;

    private static bool CanUseList(IReadOnlyList<ReplyOption> options) =>
        options.Count <= MaxListRows
        && options.All(o => o.Title.Length is > 0 and <= MaxRowTitle && o.Id.Length is > 0 and <= MaxRowId && (o.Description?.Length ?? 0) <= MaxRowDescription)
        && options.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count() == options.Count;

    /// <summary>An interactive message whose body fits; a longer text goes first as plain text and the interactive gets a short prompt.</summary>
    private static IEnumerable<JsonObject> Interactive(string body, Func<string, JsonObject> make)
    {
        if (body.Length <= MaxInteractiveBody)
        {
            yield return make(body);
            yield break;
        }
        foreach (var chunk in Split(body, MaxTextBody)) yield return Text(chunk);
        yield return make(ChooseShortBody);
    }

    private static JsonObject Buttons(string body, IReadOnlyList<ReplyOption> options) => new()
    {
        ["type"] = "interactive",
        ["interactive"] = new JsonObject
        {
            ["type"] = "button",
            ["body"] = new JsonObject { ["text"] = body },
            ["action"] = new JsonObject
            {
                ["buttons"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject
                {
                    ["type"] = "reply",
                    ["reply"] = new JsonObject { ["id"] = o.Id, ["title"] = o.Title },
                }).ToArray()),
            },
        },
    };

    private static JsonObject List(string body, IReadOnlyList<ReplyOption> options) => new()
    {
        ["type"] = "interactive",
        ["interactive"] = new JsonObject
        {
            ["type"] = "list",
            ["body"] = new JsonObject { ["text"] = body },
            ["action"] = new JsonObject
            {
                ["button"] = "Choose",
                ["sections"] = new JsonArray(new JsonObject
                {
                    ["title"] = "Options",
                    ["rows"] = new JsonArray(options.Select(o =>
                    {
                        var row = new JsonObject { ["id"] = o.Id, ["title"] = o.Title };
                        if (!string.IsNullOrEmpty(o.Description)) row["description"] = o.Description;
                        return (JsonNode)row;
                    }).ToArray()),
                }),
            },
        },
    };

    /// <summary>The fallback when options do not fit any interactive shape: a numbered list the customer answers by number or title.</summary>
    public static string Numbered(string body, IReadOnlyList<ReplyOption> options)
    {
        var sb = new StringBuilder(body).Append("\n");
        for (var i = 0; i < options.Count; i++)
        {
            sb.Append('\n').Append(i + 1).Append(". ").Append(options[i].Title);
            if (!string.IsNullOrEmpty(options[i].Description)) sb.Append(" (").Append(options[i].Description).Append(')');
        }
        sb.Append("\n\nReply with the number of your choice.");
        return sb.ToString();
    }

    /// <summary>Splits at a paragraph, line or word boundary no later than <paramref name="max"/>.</summary>
    public static IEnumerable<string> Split(string text, int max)
    {
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1, max / 2);
            if (cut <= 0) cut = rest.LastIndexOf(' ', max - 1, max / 2);
            if (cut <= 0) cut = max;
            yield return rest[..cut].TrimEnd();
            rest = rest[cut..].TrimStart();
        }
        if (rest.Length > 0) yield return rest;
    }

    private static string Cap(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
