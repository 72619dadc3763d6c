using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

// POST /graphql: the two operations Nectr sends, checked as text and variables (GraphQL is not in the REST OpenAPI
// description). The PR's review threads are the inline comments of the reviews it received, one thread each (id
// PRRT_<comment id>); resolveReviewThread resolves one. Any other query, or a variable that does not fit, is an
// unexpected call that fails the test.
public sealed partial class FakeGitHub
{
    private const string ThreadsQueryShape = "reviewThreads(first:100,after:$after){pageInfo{hasNextPage endCursor}nodes{id isResolved comments(first:1){nodes{databaseId}}}}";
    private const string ResolveMutationShape = "resolveReviewThread(input:{threadId:$threadId}){thread{id isResolved}}";

    private readonly ConcurrentDictionary<string, byte> _resolvedThreads = new(StringComparer.Ordinal);

    /// <summary>Threads resolved through GraphQL, by id.</summary>
    public IReadOnlyCollection<string> ResolvedThreads => [.. _resolvedThreads.Keys];

    /// <summary>The thread of an inline comment, as GraphQL names it.</summary>
    public static string ThreadId(long commentId) => "PRRT_" + commentId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Marks a thread resolved as if a person had resolved it on GitHub.</summary>
    public void ResolveThreadByHand(long commentId) => _resolvedThreads[ThreadId(commentId)] = 0;

    private async Task<bool> GraphQLRouteAsync(HttpContext context, RecordedRequest request)
    {
        if (request.Path != "/graphql")
        {
            return false;
        }

        JsonObject? body;
        try
        {
            body = request.Method == "POST" ? JsonNode.Parse(request.Body)?.AsObject() : null;
        }
        catch (JsonException)
        {
            body = null;
        }

        var query = (string?)body?["query"] ?? "";
        var variables = body?["variables"] as JsonObject ?? [];
        if (query.StartsWith("query(", StringComparison.Ordinal) && query.Contains(ThreadsQueryShape, StringComparison.Ordinal))
        {
            var owner = (string?)variables["owner"];
            var name = (string?)variables["name"];
            var number = variables["number"] is JsonValue n && n.TryGetValue<int>(out var num) ? num : -1;
            var after = variables["after"] is JsonValue a && a.TryGetValue<string>(out var cursor) ? int.Parse(cursor, CultureInfo.InvariantCulture) : 0;
            if (owner is null || name is null || !_pulls.ContainsKey(Key(owner, name, number)))
            {
                await Unexpected(context, request, 404, $"GraphQL reviewThreads for an unknown PR: {variables.ToJsonString()}");
                return true;
            }

            var threads = ReviewsOn(owner, name, number)
                .SelectMany(r => r.Comments.Select((_, i) => CommentId(r, i)))
                .ToList();
            var page = threads.Skip(after).Take(100).ToList();
            var more = after + page.Count < threads.Count;
            var data = new JsonObject
            {
                ["repository"] = new JsonObject
                {
                    ["pullRequest"] = new JsonObject
                    {
                        ["reviewThreads"] = new JsonObject
                        {
                            ["pageInfo"] = new JsonObject { ["hasNextPage"] = more, ["endCursor"] = more ? (after + page.Count).ToString(CultureInfo.InvariantCulture) : null },
                            ["nodes"] = new JsonArray([.. page.Select(id => (JsonNode)new JsonObject
                            {
                                ["id"] = ThreadId(id),
                                ["isResolved"] = _resolvedThreads.ContainsKey(ThreadId(id)),
                                ["comments"] = new JsonObject { ["nodes"] = new JsonArray(new JsonObject { ["databaseId"] = id }) },
                            })]),
                        },
                    },
                },
            };
            await WriteJsonAsync(context, request, new JsonObject { ["data"] = data }, cacheable: false);
            return true;
        }

        if (query.StartsWith("mutation(", StringComparison.Ordinal) && query.Contains(ResolveMutationShape, StringComparison.Ordinal)
            && variables["threadId"] is JsonValue t && t.TryGetValue<string>(out var threadId))
        {
            var known = AllReviews().SelectMany(r => r.Comments.Select((_, i) => ThreadId(CommentId(r, i)))).Contains(threadId);
            if (!known)
            {
                await Unexpected(context, request, 404, $"GraphQL resolveReviewThread of unknown thread {threadId}");
                return true;
            }

            _resolvedThreads[threadId] = 0;
            await WriteJsonAsync(context, request, new JsonObject
            {
                ["data"] = new JsonObject { ["resolveReviewThread"] = new JsonObject { ["thread"] = new JsonObject { ["id"] = threadId, ["isResolved"] = true } } },
            }, cacheable: false);
            return true;
        }

        await Unexpected(context, request, 400, $"GraphQL request this fake does not know: {request.Body}");
        return true;
    }
}
