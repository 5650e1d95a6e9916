using System.Globalization;
using System.Text;
using Switchboard.Analytics.Metrics;
using static System.Net.WebUtility;

namespace Switchboard.Silo.Analytics;

/// <summary>
/// The page's charts as SVG rendered on the server: no script, no chart library to vendor or keep patched, nothing
/// fetched from anywhere (air-gapped deployments), and the numbers in the page are the API's numbers, as text.
/// </summary>
public static class AnalyticsCharts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.0", Inv) + " %" : "–";

    /// <summary>Horizontal bars, one per (label, value), each with its number written beside it.</summary>
    public static string Bars(string id, IReadOnlyList<(string Label, double Value, string Text)> bars, string color = "#2b6cb0")
    {
        const int w = 520, row = 28, labelW = 150;
        var max = bars.Count == 0 ? 1 : Math.Max(1e-9, bars.Max(b => b.Value));
        var sb = new StringBuilder($"<svg id=\"{id}\" role=\"img\" width=\"{w}\" height=\"{Math.Max(row, bars.Count * row)}\" viewBox=\"0 0 {w} {Math.Max(row, bars.Count * row)}\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, text) = bars[i];
            var len = (w - labelW - 90) * value / max;
            var y = i * row;
            sb.Append(Inv, $"<text x=\"0\" y=\"{y + 18}\" font-size=\"13\">{HtmlEncode(label)}</text>");
            sb.Append(Inv, $"<rect x=\"{labelW}\" y=\"{y + 5}\" width=\"{len:0.#}\" height=\"18\" fill=\"{color}\"/>");
            sb.Append(Inv, $"<text x=\"{labelW + len + 6:0.#}\" y=\"{y + 18}\" font-size=\"13\" data-value=\"{HtmlEncode(label)}\">{HtmlEncode(text)}</text>");
        }
        if (bars.Count == 0) sb.Append("<text x=\"0\" y=\"18\" font-size=\"13\">no data in this range</text>");
        return sb.Append("</svg>").ToString();
    }

    /// <summary>The switch matrix: rows are the channel switched from, columns the channel switched to, darker is more.</summary>
    public static string HeatMap(string id, IReadOnlyList<SwitchCell> cells)
    {
        var channels = cells.SelectMany(c => new[] { c.From, c.To }).Distinct().Order().ToList();
        if (channels.Count == 0) return $"<svg id=\"{id}\" width=\"300\" height=\"28\"><text x=\"0\" y=\"18\" font-size=\"13\">no channel switches in this range</text></svg>";
        const int cell = 64, head = 90;
        var size = head + channels.Count * cell;
        var max = Math.Max(1, cells.Max(c => c.Switches));
        var sb = new StringBuilder($"<svg id=\"{id}\" role=\"img\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\">");
        for (var i = 0; i < channels.Count; i++)
        {
            sb.Append($"<text x=\"{head + i * cell + 4}\" y=\"{head - 8}\" font-size=\"12\">→ {HtmlEncode(channels[i])}</text>");
            sb.Append($"<text x=\"0\" y=\"{head + i * cell + 36}\" font-size=\"12\">{HtmlEncode(channels[i])} →</text>");
        }
        for (var r = 0; r < channels.Count; r++)
            for (var c = 0; c < channels.Count; c++)
            {
                var n = cells.FirstOrDefault(x => x.From == channels[r] && x.To == channels[c])?.Switches ?? 0;
                var shade = n == 0 ? 0.04 : 0.15 + 0.85 * n / max;
                sb.Append(Inv, $"<rect x=\"{head + c * cell}\" y=\"{head + r * cell}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"#c05621\" fill-opacity=\"{shade:0.##}\"/>");
                sb.Append($"<text x=\"{head + c * cell + 24}\" y=\"{head + r * cell + 36}\" font-size=\"13\" data-switch=\"{HtmlEncode(channels[r])}-{HtmlEncode(channels[c])}\">{n}</text>");
            }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Conversations per bucket as bars, containment as a line on a 0–100 % scale.</summary>
    public static string Series(string id, IReadOnlyList<SeriesPoint> points, Bucket bucket)
    {
        const int w = 760, h = 220, left = 40, bottom = 30;
        var sb = new StringBuilder($"<svg id=\"{id}\" role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
        if (points.Count == 0) return sb.Append("<text x=\"0\" y=\"18\" font-size=\"13\">no data in this range</text></svg>").ToString();
        var max = Math.Max(1, points.Max(p => p.Conversations));
        var step = (double)(w - left) / points.Count;
        var line = new StringBuilder();
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var bh = (h - bottom - 10) * (double)p.Conversations / max;
            var x = left + i * step;
            sb.Append(Inv, $"<rect x=\"{x + 2:0.#}\" y=\"{h - bottom - bh:0.#}\" width=\"{Math.Max(1, step - 4):0.#}\" height=\"{bh:0.#}\" fill=\"#90cdf4\"><title>{p.Conversations} conversations</title></rect>");
            if (p.Containment is { } c) line.Append(Inv, $"{x + step / 2:0.#},{h - bottom - (h - bottom - 10) * c:0.#} ");
            if (points.Count <= 14 || i % (points.Count / 7 + 1) == 0)
                sb.Append(Inv, $"<text x=\"{x + 2:0.#}\" y=\"{h - 10}\" font-size=\"11\">{p.Bucket.UtcDateTime.ToString(bucket == Bucket.Hour ? "dd HH:00" : "MM-dd", Inv)}</text>");
        }
        sb.Append(Inv, $"<text x=\"0\" y=\"14\" font-size=\"11\">{max}</text>");
        sb.Append($"<polyline points=\"{line}\" fill=\"none\" stroke=\"#2f855a\" stroke-width=\"2\"/>");
        return sb.Append("</svg>").ToString();
    }
}
