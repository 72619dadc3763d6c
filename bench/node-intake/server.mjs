// The Node peer for the intake benchmark: the same job as Nectr's endpoint minus durable storage. It reads the
// raw body, verifies X-Hub-Signature-256 and parses the payload with @octokit/webhooks (verifyAndReceive), and
// answers 202 on success, 401 on a bad signature, 400 on a malformed payload.
//   PORT=9100 WEBHOOK_SECRET=... node server.mjs
import { createServer } from "node:http";
import { Webhooks } from "@octokit/webhooks";

const port = Number(process.env.PORT ?? process.argv[2] ?? 9100);
const secret = process.env.WEBHOOK_SECRET ?? "bench-secret";
const webhooks = new Webhooks({ secret });
webhooks.onAny(() => {});

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const payload = Buffer.concat(chunks).toString("utf8");
    try {
      await webhooks.verifyAndReceive({
        id: req.headers["x-github-delivery"],
        name: req.headers["x-github-event"],
        payload,
        signature: req.headers["x-hub-signature-256"],
      });
      res.writeHead(202, { "content-type": "application/json" }).end('{"status":"accepted"}');
    } catch (error) {
      const status = error?.status === 400 || error instanceof SyntaxError ? 400 : 401;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error?.message ?? error) }));
    }
  });
});

server.listen(port, "127.0.0.1", () => console.log(`node intake peer on 127.0.0.1:${port}`));
