using System.Globalization;
using System.Xml.Linq;
using Nectr.Dashboard;

namespace Nectr.Tests.Dashboard;

/// <summary>The dashboard's SVG charts: well-formed, accessible, scaled right, and text from the database encoded.</summary>
public sealed class SvgChartTests
{
    [Fact]
    public void Stacked_columns_scale_the_tallest_column_to_the_top_and_stack_segments_from_the_baseline()
    {
        var chart = Parse(SvgChart.StackedColumns("timeline", "Reviews per day", "3 reviews", [
            new SvgChart.Column("1 Mar", "Sat 1 Mar: 3 reviews", [new("v-approve", 2, "2 approved"), new("v-changes", 1, "1 with changes requested")]),
            new SvgChart.Column("2 Mar", "Sun 2 Mar: 0 reviews", [new("v-approve", 0, "0 approved")]),
        ], labelEvery: 1));

        var rects = chart.Descendants("rect").ToList();
        Assert.Equal(2, rects.Count); // zero-valued segments draw nothing
        var span = SvgChart.ColumnsBaseline - SvgChart.ColumnsTop;
        Assert.Equal((SvgChart.ColumnsBaseline - span * 2 / 3.0, span * 2 / 3.0), (D(rects[0], "y"), D(rects[0], "height")), Close);
        Assert.Equal(((double)SvgChart.ColumnsTop, span / 3.0), (D(rects[1], "y"), D(rects[1], "height")), Close);
        Assert.Equal("v-changes", (string?)rects[1].Attribute("class"));
        Assert.Equal(["Sat 1 Mar: 3 reviews", "Sun 2 Mar: 0 reviews"], chart.Elements("g").Select(g => g.Element("title")!.Value));
        Assert.Equal("1 with changes requested", rects[1].Element("title")!.Value);
        Assert.Equal(["3", "0", "1 Mar", "2 Mar"], chart.Elements("text").Select(t => t.Value));
    }

    [Fact]
    public void Axis_labels_are_counted_back_from_the_newest_column()
    {
        var columns = Enumerable.Range(1, 10).Select(i => new SvgChart.Column($"d{i}", $"day {i}", [new("v-approve", i, $"{i}")])).ToList();

        var chart = Parse(SvgChart.StackedColumns("timeline", "t", "d", columns, labelEvery: 7));

        Assert.Equal(["10", "0", "d3", "d10"], chart.Elements("text").Select(t => t.Value));
        Assert.Equal(["end", "end", "middle", "end"], chart.Elements("text").Select(t => (string?)t.Attribute("text-anchor")));
        Assert.Equal(SvgChart.ColumnsWidth - SvgChart.ColumnsGap / 2.0, D(chart.Elements("text").Last(), "x"), 2);
    }

    [Fact]
    public void Every_chart_is_an_image_with_a_title_and_an_aria_label_and_no_style_attribute()
    {
        string[] charts =
        [
            SvgChart.StackedColumns("timeline", "Reviews per day", "none", [], 7).Value,
            SvgChart.HorizontalBars("severities", "Findings by severity", [new("high", 2, "sev-high")]).Value,
            SvgChart.Sparkline("activity", "carol: reviews per week", [0, 1, 3]).Value,
        ];

        foreach (var markup in charts)
        {
            var chart = Parse(markup);
            Assert.Equal("img", (string?)chart.Attribute("role"));
            Assert.Equal(chart.Element("title")!.Value, (string?)chart.Attribute("aria-label"));
            Assert.NotNull(chart.Element("desc"));
            Assert.DoesNotContain(chart.DescendantsAndSelf(), e => e.Attribute("style") is not null);
            Assert.DoesNotContain("<script", markup, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Horizontal_bars_scale_to_the_largest_value_and_print_each_number()
    {
        var chart = Parse(SvgChart.HorizontalBars("categories", "Findings by category", [new("security", 4, "bar"), new("style", 1, "bar")]));

        var rects = chart.Descendants("rect").ToList();
        var span = SvgChart.BarsWidth - SvgChart.BarsLabel - SvgChart.BarsValue;
        Assert.Equal([(double)span, span / 4.0], rects.Select(r => D(r, "width")));
        Assert.Equal("0 0 400 44", (string?)chart.Attribute("viewBox"));
        Assert.Equal(["security", "4", "style", "1"], chart.Descendants("text").Select(t => t.Value));
        Assert.Equal("security: 4, style: 1", chart.Element("desc")!.Value);
    }

    [Fact]
    public void Sparkline_puts_the_largest_value_at_the_top_and_zero_at_the_bottom_spread_across_the_width()
    {
        var points = SvgChart.SparkPoints([0, 2, 4]);

        var bottom = SvgChart.SparkHeight - SvgChart.SparkPad;
        IReadOnlyList<(double X, double Y)> expected =
            [(SvgChart.SparkPad, bottom), (SvgChart.SparkWidth / 2.0, bottom - (SvgChart.SparkHeight - 2 * SvgChart.SparkPad) / 2.0), (SvgChart.SparkWidth - SvgChart.SparkPad, SvgChart.SparkPad)];
        Assert.Equal(expected, points);
        Assert.All(SvgChart.SparkPoints([0, 0, 0]), p => Assert.Equal(bottom, p.Y));
        Assert.Empty(SvgChart.SparkPoints([]));
        var chart = Parse(SvgChart.Sparkline("activity", "a", [0, 2, 4]));
        Assert.Equal("3,25 60,14 117,3", (string?)chart.Element("polyline")!.Attribute("points"));
        Assert.Equal("chart sparkline", (string?)chart.Attribute("class"));
    }

    [Fact]
    public void Scale_is_proportional_clamped_and_zero_without_a_maximum()
    {
        Assert.Equal(50, SvgChart.Scale(1, 2, 100));
        Assert.Equal(100, SvgChart.Scale(5, 2, 100));
        Assert.Equal(0, SvgChart.Scale(3, 0, 100));
    }

    [Fact]
    public void Labels_from_the_database_are_encoded_in_text_and_attributes()
    {
        const string hostile = "</title><script>alert(1)</script>\"' onload=\"x";

        var markup = SvgChart.HorizontalBars(hostile, hostile, [new(hostile, 1, hostile)]).Value
            + SvgChart.Sparkline("a", hostile, [1]).Value
            + SvgChart.StackedColumns("t", hostile, hostile, [new(hostile, hostile, [new(hostile, 1, hostile)])], 1).Value;

        Assert.DoesNotContain("<script", markup, StringComparison.Ordinal);
        Assert.DoesNotContain("\" onload", markup, StringComparison.Ordinal);
        var root = XElement.Parse($"<root>{markup}</root>");
        Assert.Contains(root.Descendants("title"), t => t.Value == hostile);
        Assert.All(root.Descendants("rect"), r => Assert.Equal(hostile, (string?)r.Attribute("class")));
    }

    /// <summary>The chart as XML with the SVG namespace stripped from names, so queries read plainly.</summary>
    private static XElement Parse(Microsoft.AspNetCore.Components.MarkupString markup) => Parse(markup.Value);

    private static XElement Parse(string markup)
    {
        var root = XElement.Parse(markup.Replace("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", StringComparison.Ordinal));
        foreach (var element in root.DescendantsAndSelf())
        {
            element.Name = element.Name.LocalName;
        }

        return root;
    }

    private static double D(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static readonly IEqualityComparer<(double, double)> Close = EqualityComparer<(double, double)>.Create(
        (a, b) => Math.Abs(a.Item1 - b.Item1) < 0.01 && Math.Abs(a.Item2 - b.Item2) < 0.01);
}
