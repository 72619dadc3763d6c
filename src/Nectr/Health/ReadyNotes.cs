using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nectr.Health;

/// <summary>
/// One line a check contributes to <c>/health/ready</c>: a reason (the check is unhealthy) or a warning (degraded),
/// each saying what to fix. Most are fixed text; a few depend on who reads them (see <see cref="SignatureFailuresCheck"/>)
/// or on the address the request came to, which a check cannot see: checks run outside the request, so they hand the
/// facts over and the response writer renders them for the reader.
/// </summary>
internal abstract record ReadyNote
{
    public const string DataKey = "nectr.notes";

    public abstract ValueTask<IEnumerable<string>> RenderAsync(HttpContext reader, CancellationToken cancellationToken);

    /// <summary>A result carrying <paramref name="notes"/>; Description keeps the fixed text for logs.</summary>
    public static HealthCheckResult Result(HealthStatus status, params IReadOnlyList<ReadyNote> notes) => new(
        status,
        string.Join(" | ", notes.OfType<TextNote>().Select(n => n.Text)),
        data: new Dictionary<string, object> { [DataKey] = notes });

    public static HealthCheckResult Warn(string text) => Result(HealthStatus.Degraded, new TextNote(text));

    public static IReadOnlyList<ReadyNote> Of(HealthReportEntry entry) =>
        entry.Data.TryGetValue(DataKey, out var notes) && notes is IReadOnlyList<ReadyNote> list ? list
        : entry.Description is { Length: > 0 } text ? [new TextNote(text)]
        : [];
}

internal sealed record TextNote(string Text) : ReadyNote
{
    public override ValueTask<IEnumerable<string>> RenderAsync(HttpContext reader, CancellationToken cancellationToken) => ValueTask.FromResult<IEnumerable<string>>([Text]);
}

/// <summary>Text that names a URL of this site, which outside production follows the address the request came to.</summary>
internal sealed record RequestNote(Func<HttpRequest, string> Text) : ReadyNote
{
    public override ValueTask<IEnumerable<string>> RenderAsync(HttpContext reader, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IEnumerable<string>>([Text(reader.Request)]);
}
