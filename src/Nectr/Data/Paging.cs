namespace Nectr.Data;

/// <summary>One page of a newest-first list, with the total across all pages.</summary>
internal sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PerPage, int Total);

/// <summary>Which page to read. Out-of-range values are brought into range as GitHub does (page ≥ 1, 1 ≤ per_page ≤ 100).</summary>
internal readonly record struct PageRequest(int Page, int PerPage)
{
    public const int DefaultPerPage = 20;
    public const int MaxPerPage = 100;

    public static PageRequest From(int? page, int? perPage) =>
        new(Math.Max(page ?? 1, 1), Math.Clamp(perPage ?? DefaultPerPage, 1, MaxPerPage));

    public int Skip => (int)Math.Min((long)(Page - 1) * PerPage, int.MaxValue);
}
