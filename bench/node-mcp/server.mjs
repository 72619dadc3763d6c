// The Node peer for the MCP benchmark: the TypeScript SDK's own stateless Streamable HTTP example server
// (examples/server/simpleStatelessStreamableHttp: createMcpExpressApp, a new McpServer and transport per POST,
// sessionIdGenerator undefined) with one tool, get_recent_reviews(repo?, limit), doing what Nectr's tool does:
//   1. bearer token: `nectr_<publicId>_<secret>`, row found by its public id, SHA-256 of the whole token compared in
//      constant time, revoked tokens refused, last-used time written at most once a minute (as Nectr's token store);
//   2. the most recent `limit` reviews of the repositories the token's user may see (user_repositories), optionally
//      one repository, newest first, with each review's finding count: the same SQL shape as Nectr's read model;
//   3. the same JSON as structured content (and as text), with an output schema.
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
const tokenByPublicId = db.prepare("SELECT Id, UserId, SecretHash, LastUsedAt, RevokedAt FROM api_tokens WHERE PublicId = ?");
const touchToken = db.prepare("UPDATE api_tokens SET LastUsedAt = ? WHERE Id = ?");
const recentSql = (oneRepo) => `
  SELECT r.Id, r.RepositoryFullName, r.PullNumber, r.HeadSha, r.Verdict, r.VerdictReason,
         (SELECT COUNT(*) FROM findings AS f WHERE r.Id = f.ReviewId) AS Findings,
         r.InlineComments, r.Model, r.CostUsd, r.CreatedAt, r.HtmlUrl
  FROM reviews AS r
  WHERE r.RepositoryFullName IN (SELECT u.RepositoryFullName FROM user_repositories AS u WHERE u.UserId = ?)
    ${oneRepo ? "AND r.RepositoryFullName = ?" : ""}
  ORDER BY r.CreatedAt DESC, r.Id DESC
  LIMIT ?`;
const recentAll = db.prepare(recentSql(false));
const recentOfRepo = db.prepare(recentSql(true));

const tokenPattern = /^nectr_([A-Za-z0-9]{1,32})_([A-Za-z0-9_-]+)$/;
const lastUsedResolutionMs = 60_000;
// SQLite keeps EF Core's DateTime text, "yyyy-MM-dd HH:mm:ss.fffffff", in UTC.
const efDate = (date) => date.toISOString().replace("T", " ").replace("Z", "0000");
const asUtcIso = (text) => new Date(text.replace(" ", "T").slice(0, 23) + "Z").toISOString();

const verifier = {
  async verifyAccessToken(token) {
    const match = tokenPattern.exec(token);
    const row = match ? tokenByPublicId.get(match[1]) : undefined;
    const hash = createHash("sha256").update(token, "utf8").digest();
    if (!row || row.RevokedAt !== null || row.SecretHash.length !== hash.length || !timingSafeEqual(Buffer.from(row.SecretHash), hash)) {
      throw new InvalidTokenError("Invalid or revoked token");
    }
    const now = Date.now();
    if (row.LastUsedAt === null || now - Date.parse(asUtcIso(row.LastUsedAt)) >= lastUsedResolutionMs) {
      touchToken.run(efDate(new Date(now)), row.Id);
    }
    // Personal tokens do not expire; the middleware wants a number.
    return { token: "", clientId: String(row.Id), scopes: [], expiresAt: Number.MAX_SAFE_INTEGER, extra: { userId: row.UserId } };
  },
};

const reviewShape = z.object({
  id: z.number().int(),
  repository: z.string(),
  pullNumber: z.number().int(),
  headSha: z.string(),
  verdict: z.string(),
  verdictReason: z.string().nullable(),
  findings: z.number().int(),
  inlineComments: z.number().int(),
  model: z.string().nullable(),
  costUsd: z.number().nullable(),
  createdAt: z.string(),
  pullRequestUrl: z.string(),
  reviewUrl: z.string().nullable(),
});

const getServer = () => {
  const server = new McpServer({ name: "nectr-bench-node-peer", version: "1.0.0" });
  server.registerTool("get_recent_reviews", {
    description: "The most recent reviews of the repositories you can see, newest first.",
    inputSchema: {
      repo: z.string().optional().describe("owner/name; all your repositories when left out"),
      limit: z.number().int().min(1).max(100).default(20).describe("How many reviews (1-100)"),
    },
    outputSchema: { reviews: z.array(reviewShape) },
    annotations: { readOnlyHint: true },
  }, async ({ repo, limit }, extra) => {
    const userId = extra.authInfo.extra.userId;
    const rows = repo ? recentOfRepo.all(userId, repo, limit) : recentAll.all(userId, limit);
    const reviews = rows.map((r) => ({
      id: r.Id,
      repository: r.RepositoryFullName,
      pullNumber: r.PullNumber,
      headSha: r.HeadSha,
      verdict: r.Verdict,
      verdictReason: r.VerdictReason,
      findings: r.Findings,
      inlineComments: r.InlineComments,
      model: r.Model,
      costUsd: r.CostUsd,
      createdAt: asUtcIso(r.CreatedAt),
      pullRequestUrl: new URL(`${r.RepositoryFullName}/pull/${r.PullNumber}`, webUrl).toString(),
      reviewUrl: r.HtmlUrl,
    }));
    const structuredContent = { reviews };
    return { content: [{ type: "text", text: JSON.stringify(structuredContent) }], structuredContent };
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
