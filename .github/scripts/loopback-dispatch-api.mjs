// A stand-in for GitHub's dispatch endpoint, for ci.yml's self-test of dispatch-action from the working tree.
// Answers 204 to POST /repos/{owner}/{repo}/dispatches, writes each request body to <dir>/body-<n>.json, and stops
// by itself after five minutes. Usage: node loopback-dispatch-api.mjs <dir> <port>
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [dir, port] = process.argv.slice(2);
let count = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const ok =
      req.method === 'POST' &&
      /^\/repos\/[^/]+\/[^/]+\/dispatches$/.test(req.url ?? '') &&
      (req.headers.accept ?? '').includes('application/vnd.github+json') &&
      req.headers['x-github-api-version'] === '2022-11-28';
    if (!ok) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    count += 1;
    writeFileSync(join(dir, `body-${count}.json`), Buffer.concat(chunks));
    res.writeHead(204).end();
  });
});
server.listen(Number(port), '127.0.0.1');
setTimeout(() => server.close(), 5 * 60_000).unref();
