using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Nectr.Dashboard;

/// <summary>
/// Server-rendered inline SVG charts for the Analytics and Team pages: stacked columns, horizontal bars and a
/// sparkline. No script and no <c>style</c> attribute (the dashboard's CSP has <c>style-src 'self'</c>): colours come
/// from classes in nectr.css, sizes from SVG presentation attributes. Every chart is <c>role="img"</c> with an
/// <c>aria-label</c> and a <c>&lt;title&gt;</c>, and every mark has its own <c>&lt;title&gt;</c> with the number, so a
/// screen reader or a hover gives the value. Labels are text from the database (logins, paths): always encoded here.
/// </summary>
internal static class SvgChart
{
    /// <summary>One part of a stacked column: its CSS class (the colour), its value and what the value means.</summary>
    public sealed record Segment(string CssClass, int Value, string Label);

    /// <summary>A column: its axis label (shown on some columns), what it stands for in words, and its stacked parts.</summary>
    public sealed record Column(string AxisLabel, string Label, IReadOnlyList<Segment> Segments)
    {
        public int Total => Segments.Sum(s => s.Value);
    }

    /// <summary>A row of a horizontal bar chart.</summary>
    public sealed record Bar(string Label, int Value, string CssClass);

    public const int ColumnsWidth = 640, ColumnsHeight = 180, ColumnsLeft = 30, ColumnsTop = 10, ColumnsBaseline = 150, ColumnsGap = 2;
    public const int BarsWidth = 400, BarsRow = 22, BarsLabel = 140, BarsValue = 40;
    public const int SparkWidth = 120, SparkHeight = 28, SparkPad = 3;

    /// <summary>
    /// Columns side by side, each stacked from the baseline, scaled so the tallest reaches the top. The axis label is
    /// drawn under every <paramref name="labelEvery"/>-th column counted back from the last (so the newest always has one).
    /// </summary>
    public static MarkupString StackedColumns(string kind, string title, string description, IReadOnlyList<Column> columns, int labelEvery)
    {
        var max = columns.Count == 0 ? 0 : columns.Max(c => c.Total);
        var slot = columns.Count == 0 ? 0 : (double)(ColumnsWidth - ColumnsLeft) / columns.Count;
        var svg = Open(kind, title, description, ColumnsWidth, ColumnsHeight);
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{ColumnsLeft}\" y1=\"{ColumnsBaseline}\" x2=\"{ColumnsWidth}\" y2=\"{ColumnsBaseline}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ColumnsLeft - 6}\" y=\"{ColumnsTop + 4}\" text-anchor=\"end\">{max}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{ColumnsLeft - 6}\" y=\"{ColumnsBaseline}\" text-anchor=\"end\">0</text>");
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            var x = ColumnsLeft + i * slot + ColumnsGap / 2.0;
            var width = Math.Max(1, slot - ColumnsGap);
            svg.Append("<g class=\"column\"><title>").Append(Text(column.Label)).Append("</title>");
            var y = (double)ColumnsBaseline;
            foreach (var segment in column.Segments.Where(s => s.Value > 0))
            {
                var height = Scale(segment.Value, max, ColumnsBaseline - ColumnsTop);
                y -= height;
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{Text(segment.CssClass)}\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\">")
                    .Append("<title>").Append(Text(segment.Label)).Append("</title></rect>");
            }

            svg.Append("</g>");
            if (labelEvery > 0 && (columns.Count - 1 - i) % labelEvery == 0)
            {
                // The newest column's label ends at the right edge instead of being centred past it (and clipped).
                var last = i == columns.Count - 1;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(last ? x + width : x + width / 2)}\" y=\"{ColumnsBaseline + 16}\" text-anchor=\"{(last ? "end" : "middle")}\">{Text(column.AxisLabel)}</text>");
            }
        }

        return Close(svg);
    }

    /// <summary>One horizontal bar per row, scaled to the largest value, with the label on the left and the number on the right.</summary>
    public static MarkupString HorizontalBars(string kind, string title, IReadOnlyList<Bar> bars)
    {
        var max = bars.Count == 0 ? 0 : bars.Max(b => b.Value);
        var height = Math.Max(1, bars.Count) * BarsRow;
        var span = BarsWidth - BarsLabel - BarsValue;
        var svg = Open(kind, title, string.Join(", ", bars.Select(b => $"{b.Label}: {b.Value}")), BarsWidth, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = i * BarsRow;
            var width = Scale(bar.Value, max, span);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"row\"><title>{Text(bar.Label)}: {bar.Value}</title>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{BarsLabel - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{Text(Shorten(bar.Label, 22))}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect class=\"{Text(bar.CssClass)}\" x=\"{BarsLabel}\" y=\"{y + 4}\" width=\"{N(width)}\" height=\"{BarsRow - 8}\" rx=\"2\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{N(BarsLabel + width + 4)}\" y=\"{y + 15}\">{bar.Value}</text></g>");
        }

        return Close(svg);
    }

    /// <summary>A line through the values (oldest first), scaled to the largest; all zero draws a flat line on the bottom.</summary>
    public static MarkupString Sparkline(string kind, string title, IReadOnlyList<int> values)
    {
        var points = SparkPoints(values);
        var svg = Open(kind, title, string.Join(", ", values), SparkWidth, SparkHeight, "chart sparkline");
        svg.Append("<polyline class=\"spark\" points=\"").AppendJoin(' ', points.Select(p => $"{N(p.X)},{N(p.Y)}")).Append("\"/>");
        if (points.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"spark-end\" cx=\"{N(points[^1].X)}\" cy=\"{N(points[^1].Y)}\" r=\"2.5\"/>");
        }

        return Close(svg);
    }

    /// <summary>The length a value gets when <paramref name="max"/> gets <paramref name="span"/>; 0 when there is no maximum.</summary>
    internal static double Scale(int value, int max, double span) => max <= 0 ? 0 : Math.Clamp((double)value / max, 0, 1) * span;

    /// <summary>The sparkline's points: spread evenly across the width, the largest value at the top pad, zero at the bottom pad.</summary>
    internal static IReadOnlyList<(double X, double Y)> SparkPoints(IReadOnlyList<int> values)
    {
        if (values.Count == 0)
        {
            return [];
        }

        var max = values.Max();
        var step = values.Count == 1 ? 0 : (double)(SparkWidth - 2 * SparkPad) / (values.Count - 1);
        var bottom = SparkHeight - SparkPad;
        return [.. values.Select((v, i) => (SparkPad + i * step, bottom - Scale(v, max, SparkHeight - 2 * SparkPad)))];
    }

    private static StringBuilder Open(string kind, string title, string description, int width, int height, string cssClass = "chart") => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"<svg class=\"{cssClass}\" data-chart=\"{Text(kind)}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Text(title)}\">")
        .Append("<title>").Append(Text(title)).Append("</title><desc>").Append(Text(description)).Append("</desc>");

    private static MarkupString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    /// <summary>Text and attribute values for SVG inside HTML: &lt; &gt; &amp; and both quotes encoded.</summary>
    internal static string Text(string value) => WebUtility.HtmlEncode(value);

    private static string Shorten(string label, int max) => label.Length <= max ? label : "…" + label[^(max - 1)..];

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
