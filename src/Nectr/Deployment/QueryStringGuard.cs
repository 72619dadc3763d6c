using Nectr.Engine;

namespace Nectr.Deployment;

/// <summary>
/// Refuses a query string that carries a control character (NUL, ESC, …; tabs and line breaks pass) with a
/// <c>400</c> that names the parameter. No filter, page or search of Nectr means one, and PostgreSQL cannot take a
/// NUL in a text parameter at all: without this, <c>/api/v1/reviews?q=%00</c> reached the database and answered 500.
/// Checked once here, for every endpoint and the dashboard, rather than in each handler that reads a value.
/// </summary>
internal static class QueryStringGuard
{
    public const string Title = "Control character in the query string";

    public static IApplicationBuilder UseQueryStringGuard(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (!context.Request.QueryString.HasValue)
            {
                return next(context);
            }

            foreach (var (name, values) in context.Request.Query)
            {
                if (PlainText.HasControlCharacter(name) || values.Any(v => v is not null && PlainText.HasControlCharacter(v)))
                {
                    var which = PlainText.HasControlCharacter(name) ? "A query parameter's name" : $"The query parameter '{name}'";
                    return TypedResults.Problem(
                        title: Title,
                        detail: $"{which} contains a control character (such as NUL, %00); remove it and send the request again.",
                        statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
                }
            }

            return next(context);
        });
}
