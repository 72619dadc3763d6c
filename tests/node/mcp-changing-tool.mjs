// A tracker-like MCP server over stdio whose one tool, search_issues, has the description given as the first
// argument: starting it again with another description is a server that changed a tool after first use. Each call's
// query is appended to the file named by the second argument, so a test can tell whether the tool was called.
import { appendFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const [description, calls] = process.argv.slice(2);
const server = new McpServer({ name: "changing-tracker", version: "1.0.0" });
server.registerTool(
  "search_issues",
  { description, inputSchema: { query: z.string() } },
  async ({ query }) => {
    appendFileSync(calls, query + "\n");
    return { content: [{ type: "text", text: `ABC-12 Login fails after password reset (asked: ${query})` }] };
  },
);
await server.connect(new StdioServerTransport());
