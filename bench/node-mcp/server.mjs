// The Node peer for the MCP benchmark: the TypeScript SDK's own stateless Streamable HTTP example server
// (examples/server/simpleStatelessStreamableHttp: createMcpExpressApp, a new McpServer and transport per POST,
// sessionIdGenerator undefined) with one tool, get_recent_reviews(repo?, limit), doing what Nectr's tool does:
//   1. bearer token: `nectr_<publicId>_<secret>`, row found by its public id, SHA-256 of the whole token compared in
//      constant time, revoked tokens refused, last-used time written at most once a minute (as Nectr's token store);
//   2. an optional repository checked against the user's repositories (case-insensitive, as Nectr's McpScope), then
//      the count and the page of the most recent `limit` reviews of the repositories the token's user may see
//      (user_repositories), newest first, with each review's finding count: the SQL Nectr's read model sends;
//   3. the same JSON as structured content (and as text: snake_case, nulls written as Nectr writes them), with an output schema; a bad
//      argument is a tool error.
// It reads Nectr's own SQLite database (the same file, the same rows) with Node 22's built-in node:sqlite.
//   PORT=9200 DATABASE=/path/nectr.db GITHUB_WEB_URL=https://github.com/ node server.mjs
import { createHash, timingSafeEqual } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import * as z from "zod/v4";

const port = Number(process.env.PORT ?? 9200);
const databasePath = process.env.DATABASE ?? process.argv[2];
const webUrl = new URL(process.env.GITHUB_WEB_URL ?? "https://github.com/");
if (!databasePath) {
  console.error("usage: DATABASE=/path/nectr.db [PORT=9200] node server.mjs");
  process.exit(2);
}

const db = new DatabaseSync(databasePath);
db.exec("PRAGMA busy_timeout = 5000");
const tokenByPublicId = db.prepare("SELECT Id, UserId, SecretHash, LastUsedAt, RevokedAt FROM api_tokens WHERE PublicId = ? LIMIT 1");
const touchToken = db.prepare("UPDATE api_tokens SET LastUsedAt = ? WHERE Id = ? AND (LastUsedAt IS NULL OR LastUsedAt <= ?)");
const visibleRepository = db.prepare(
  "SELECT RepositoryFullName FROM user_repositories WHERE UserId = ? AND (RepositoryFullName = ? OR lower(RepositoryFullName) = ?)");
const visible = "r.RepositoryFullName IN (SELECT u.RepositoryFullName FROM user_repositories AS u WHERE u.UserId = ?)";
const countAll = db.prepare(`SELECT COUNT(*) AS n FROM reviews AS r WHERE ${visible}`);
const countOfRepo = db.prepare(`SELECT COUNT(*) AS n FROM reviews AS r WHERE ${visible} AND r.RepositoryFullName = ?`);
// The page's ids from the (repository, created) index, then those rows: the two statements Nectr's read model sends.
const idsSql = (oneRepo) => `
  SELECT r.Id FROM reviews AS r
  WHERE ${visible} ${oneRepo ? "AND r.RepositoryFullName = ?" : ""}
  ORDER BY r.CreatedAt DESC, r.Id DESC
  LIMIT ? OFFSET 0`;
const idsAll = db.prepare(idsSql(false));
const idsOfRepo = db.prepare(idsSql(true));
const rowsByIds = db.prepare(`
  SELECT r.Id, r.RepositoryFullName, r.PullNumber, r.HeadSha, r.Verdict, r.VerdictReason,
         (SELECT COUNT(*) FROM findings AS f WHERE r.Id = f.ReviewId) AS Findings,
         r.InlineComments, r.Model, r.CostUsd, r.CreatedAt, r.HtmlUrl
  FROM reviews AS r
  WHERE r.Id IN (SELECT value FROM json_each(?))
  ORDER BY r.CreatedAt DESC, r.Id DESC`);
const pageAll = { all: (userId, limit) => rowsByIds.all(JSON.stringify(idsAll.all(userId, limit).map((r) => r.Id))) };
const pageOfRepo = { all: (userId, name, limit) => rowsByIds.all(JSON.stringify(idsOfRepo.all(userId, name, limit).map((r) => r.Id))) };

// nectr_<16 lowercase hex>_<secret>, at most 200 characters (ApiTokenStore.PublicIdOf).
const tokenPattern = /^nectr_([0-9a-f]{16})_(.+)$/s;
const lastUsedResolutionMs = 60_000;
const maxLimit = 50;
// SQLite holds EF Core's DateTime text, "yyyy-MM-dd HH:mm:ss.FFFFFFF" (UTC; zeros of the fraction dropped).
const efDate = (ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
// System.Text.Json's form of a UTC DateTime: ISO 8601 with the fraction's trailing zeros dropped.
const isoUtc = (text) => text.replace(" ", "T").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "") + "Z";

class ToolError extends Error {}

const verifier = {
  async verifyAccessToken(token) {
    const match = token.length <= 200 ? tokenPattern.exec(token) : null;
    const row = match ? tokenByPublicId.get(match[1]) : undefined;
    if (!row || !timingSafeEqual(createHash("sha256").update(token, "utf8").digest(), Buffer.from(row.SecretHash)) || row.RevokedAt !== null) {
      throw new InvalidTokenError("Invalid or revoked token");
    }
    const now = Date.now();
    if (row.LastUsedAt === null || now - Date.parse(isoUtc(row.LastUsedAt)) >= lastUsedResolutionMs) {
      touchToken.run(efDate(now), row.Id, efDate(now - lastUsedResolutionMs));
    }
    // Personal tokens do not expire; the middleware wants a number.
    return { token: "", clientId: String(row.Id), scopes: [], expiresAt: Number.MAX_SAFE_INTEGER, extra: { userId: row.UserId } };
  },
};

const reviewShape = z.object({
  id: z.number().int(),
  repository: z.string(),
  pull_number: z.number().int(),
  head_sha: z.string(),
  verdict: z.string(),
  verdict_reason: z.string().nullable(),
  findings: z.number().int(),
  inline_comments: z.number().int(),
  model: z.string().nullable(),
  cost_usd: z.number().nullable(),
  created_at: z.string(),
  pull_request_url: z.string(),
  review_url: z.string().nullable(),
  state: z.string().nullable(),
});

function recentReviews(userId, repo, limit) {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new ToolError(`limit must be from 1 to ${maxLimit}.`);
  }
  let name = null;
  if (repo !== undefined) {
    const wanted = repo.trim();
    const rows = visibleRepository.all(userId, wanted, wanted.toLowerCase()).map((r) => r.RepositoryFullName);
    name = rows.find((n) => n === wanted) ?? rows[0];
    if (!name) throw new ToolError(`${wanted} is not among the repositories you can see in Nectr.`);
  }
  const total = name ? countOfRepo.get(userId, name).n : countAll.get(userId).n;
  const rows = name ? pageOfRepo.all(userId, name, limit) : pageAll.all(userId, limit);
  const reviews = rows.map((r) => ({
    id: r.Id,
    repository: r.RepositoryFullName,
    pull_number: r.PullNumber,
    head_sha: r.HeadSha,
    verdict: r.Verdict,
    verdict_reason: r.VerdictReason,
    findings: r.Findings,
    inline_comments: r.InlineComments,
    model: r.Model,
    cost_usd: r.CostUsd,
    created_at: isoUtc(r.CreatedAt),
    pull_request_url: new URL(`${r.RepositoryFullName}/pull/${r.PullNumber}`, webUrl).toString(),
    review_url: r.HtmlUrl,
    state: null, // Nectr looks the live state up only when a list is filtered by it; this call does not
  }));
  return { total, reviews };
}

const getServer = () => {
  const server = new McpServer({ name: "nectr-bench-node-peer", version: "1.0.0" });
  server.registerTool("get_recent_reviews", {
    title: "Recent reviews",
    description: "Nectr's most recent pull-request reviews, newest first: verdict, number of findings, links. Optionally for one repository.",
    inputSchema: {
      repo: z.string().optional().describe("Repository as owner/name; omit for all your repositories."),
      limit: z.number().int().default(10).describe("How many reviews, 1 to 50."),
    },
    outputSchema: { total: z.number().int(), reviews: z.array(reviewShape) },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ repo, limit }, extra) => {
    try {
      const structuredContent = recentReviews(extra.authInfo.extra.userId, repo, limit);
      return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      return { content: [{ type: "text", text: error.message }], isError: true };
    }
  });
  return server;
};

const app = createMcpExpressApp();
app.post("/mcp", requireBearerAuth({ verifier }), async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    res.on("close", () => {
      transport.close();
      server.close();
    });
  } catch (error) {
    console.error("Error handling MCP request:", error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: "2.0", error: { code: -32603, message: "Internal server error" }, id: null });
    }
  }
});
const notAllowed = (req, res) => res.writeHead(405).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null }));
app.get("/mcp", notAllowed);
app.delete("/mcp", notAllowed);

app.listen(port, "127.0.0.1", (error) => {
  if (error) {
    console.error("Failed to start server:", error);
    process.exit(1);
  }
  console.log(`node MCP peer on 127.0.0.1:${port}`);
});
