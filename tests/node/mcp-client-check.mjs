// Drives Nectr's MCP server with the official TypeScript SDK client, for tests/Nectr.Tests/McpServer.
// Usage: node mcp-client-check.mjs <server base URL> <streamable|sse> '<plan JSON>'
//   plan: {"calls": [{"name": "...", "arguments": {...}}], "resources": ["nectr://..."]}
// The API token comes in NECTR_MCP_TOKEN (never on the command line); the SDK is loaded from NECTR_NODE_TOOLS.
// Prints one JSON report on stdout: tools (with their output schemas), each call's result or error, each resource's.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [base, transportName, planText] = process.argv.slice(2);
const tools = process.env.NECTR_NODE_TOOLS;
const token = process.env.NECTR_MCP_TOKEN;
if (!base || !transportName || !planText || !tools || !token) {
  console.error('usage: NECTR_NODE_TOOLS=… NECTR_MCP_TOKEN=… node mcp-client-check.mjs <base URL> <streamable|sse> <plan JSON>');
  process.exit(2);
}

const sdk = (path) => import(pathToFileURL(join(tools, 'node_modules/@modelcontextprotocol/sdk/dist/esm', path)).href);
const { Client } = await sdk('client/index.js');
const headers = { Authorization: `Bearer ${token}` };
let transport;
if (transportName === 'sse') {
  const { SSEClientTransport } = await sdk('client/sse.js');
  transport = new SSEClientTransport(new URL('/mcp/sse', base), {
    requestInit: { headers },
    eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers ?? {}), ...headers } }) },
  });
} else {
  const { StreamableHTTPClientTransport } = await sdk('client/streamableHttp.js');
  transport = new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers } });
}

const plan = JSON.parse(planText);
const client = new Client({ name: 'nectr-test', version: '1.0.0' });
const report = { tools: [], templates: [], calls: [], resources: [] };
await client.connect(transport);
try {
  report.server = client.getServerVersion();
  report.tools = (await client.listTools()).tools.map((t) => ({ name: t.name, hasOutputSchema: !!t.outputSchema }));
  report.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  for (const call of plan.calls ?? []) {
    try {
      // The client checks structuredContent against the tool's output schema.
      const result = await client.callTool({ name: call.name, arguments: call.arguments ?? {} });
      report.calls.push({ name: call.name, isError: !!result.isError, structured: result.structuredContent ?? null, text: result.content?.map((c) => c.text ?? '').join('\n') ?? '' });
    } catch (error) {
      report.calls.push({ name: call.name, isError: true, thrown: String(error?.message ?? error) });
    }
  }

  for (const uri of plan.resources ?? []) {
    try {
      const result = await client.readResource({ uri });
      report.resources.push({ uri, text: result.contents.map((c) => c.text ?? '').join('\n') });
    } catch (error) {
      report.resources.push({ uri, error: String(error?.message ?? error) });
    }
  }
} finally {
  await client.close();
}

process.stdout.write(JSON.stringify(report));
