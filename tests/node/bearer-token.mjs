// Preload that gives the MCP conformance suite an API token: `node --import ./bearer-token.mjs conformance server …`.
// The suite has no option for credentials, and Nectr's /mcp answers 401 without a token, so this adds
// `Authorization: Bearer $NECTR_MCP_TOKEN` to every HTTP request this Node process sends to the origin of
// $NECTR_MCP_URL, and to no other origin. It sets undici's global dispatcher, which both Node's fetch (the SDK client
// the suite drives) and the suite's own raw undici requests (dns-rebinding-protection) go through.
// undici is loaded from NECTR_NODE_TOOLS (the tests copy this file next to their assembly) or from this folder.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const token = process.env.NECTR_MCP_TOKEN;
const target = process.env.NECTR_MCP_URL;
if (!token || !target) {
  console.error('bearer-token.mjs: set NECTR_MCP_TOKEN (a Nectr API token) and NECTR_MCP_URL (the /mcp URL under test)');
  process.exit(2);
}

const folder = process.env.NECTR_NODE_TOOLS ?? dirname(fileURLToPath(import.meta.url));
const { Agent, setGlobalDispatcher } = createRequire(join(folder, 'package.json'))('undici');
const origin = new URL(target).origin;
const authorization = `Bearer ${token}`;

const withToken = (headers) => {
  if (headers == null) {
    return { authorization };
  }
  if (Array.isArray(headers)) {
    return [...headers, 'authorization', authorization];
  }
  if (typeof headers[Symbol.iterator] === 'function') {
    return [...[...headers].flat(), 'authorization', authorization];
  }
  return { ...headers, authorization };
};

setGlobalDispatcher(new Agent().compose((dispatch) => (options, handler) =>
  dispatch(new URL(String(options.origin)).origin === origin ? { ...options, headers: withToken(options.headers) } : options, handler)));
