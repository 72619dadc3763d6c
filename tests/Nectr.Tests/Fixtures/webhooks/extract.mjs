// Regenerates the webhook fixtures from GitHub's own examples (npm: @octokit/webhooks-examples, MIT).
//   cd /tmp && npm pack @octokit/webhooks-examples@7.6.1 && tar xzf octokit-webhooks-examples-7.6.1.tgz
//   node extract.mjs /tmp/package/api.github.com/index.json
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const source = process.argv[2];
if (!source) {
  console.error("usage: node extract.mjs <path to api.github.com/index.json>");
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(["pull_request", "pull_request_review", "issues", "ping", "issue_comment", "pull_request_review_comment", "installation", "installation_repositories", "check_run"]);
let written = 0;
for (const entry of JSON.parse(readFileSync(source, "utf8"))) {
  if (!wanted.has(entry.name)) continue;
  const seen = new Map();
  for (const example of entry.examples) {
    const base = example.action ? `${entry.name}.${example.action}` : entry.name;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const name = n === 1 ? `${base}.json` : `${base}.${n}.json`;
    writeFileSync(join(here, name), JSON.stringify(example, null, 2) + "\n");
    written++;
  }
}
console.log(`wrote ${written} fixtures`);
