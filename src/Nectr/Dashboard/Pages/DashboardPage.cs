using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Nectr.Auth;

namespace Nectr.Dashboard.Pages;

/// <summary>
/// The base of every signed-in page: anonymous requests are sent to <c>/signin</c> by the cookie scheme (the
/// <see cref="AuthorizeAttribute"/> becomes endpoint metadata), and queries run as the signed-in user.
/// </summary>
[Authorize]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "Razor components are public; their base class must be too.")]
public abstract class DashboardPage : ComponentBase
{
    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = default!;

    /// <summary>The signed-in user's Nectr id; the authorization policy guarantees there is one.</summary>
    protected long UserId => HttpContext.User.NectrUserId()
        ?? throw new InvalidOperationException("A dashboard page ran without a signed-in user.");

    protected CancellationToken Aborted => HttpContext.RequestAborted;
}
