/**
 * Git over HTTP on loopback: a small server in front of `git http-backend` (CGI), so tests exercise the
 * credential path a real runner uses (actions/checkout's persisted `AUTHORIZATION: basic ...` extraheader).
 */
import { execFileSync, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitHttpRequest {
  method: string;
  path: string;
  authorized: boolean;
  /** The request's Content-Encoding (git gzips large fetch negotiations), when it had one. */
  contentEncoding?: string;
  /** True when the body came with Transfer-Encoding: chunked (git does this for packs above http.postBuffer). */
  chunked?: boolean;
  /** Response body bytes sent (benchmarks compare what a clone costs); set when the response ends. */
  bytesOut?: number;
}

export interface GitHttpServer {
  /** http://127.0.0.1:PORT ; repositories live at `${url}/<owner>/<name>.git`. */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

let backendPath: string | undefined;
function gitHttpBackend(): string {
  backendPath ??= join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  return backendPath;
}

/**
 * Serves `${root}/<owner>/<name>.git` (bare repositories) over smart HTTP, fetch and push, requiring
 * `Authorization: Basic base64("x-access-token:" + token)`; anything else gets 401 with GitHub's realm.
 */
export async function startGitHttpServer(options: {
  root: string;
  token: string;
  /**
   * Requests for which the server accepts the connection and then never answers (a hung remote), e.g.
   * `(r) => r.path.endsWith('/info/refs') && r.query === 'service=git-receive-pack'` stalls every push.
   */
  stall?: (request: { method: string; path: string; query: string }) => boolean;
}): Promise<GitHttpServer> {
  const expected = Buffer.from(`x-access-token:${options.token}`, 'utf8');
  const requests: GitHttpRequest[] = [];

  const isAuthorized = (header: string | undefined): boolean => {
    if (!header) return false;
    const match = /^basic\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1], 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = isAuthorized(req.headers.authorization);
    // Only method, path and the verdict are kept: the header itself is a secret.
    const record: GitHttpRequest = { method: req.method ?? 'GET', path: url.pathname, authorized };
    if (req.headers['content-encoding']) record.contentEncoding = req.headers['content-encoding'];
    if (/chunked/i.test(req.headers['transfer-encoding'] ?? '')) record.chunked = true;
    requests.push(record);
    if (options.stall?.({ method: record.method, path: url.pathname, query: url.search.replace(/^\?/, '') })) {
      req.resume(); // read what comes, answer nothing; close() ends the connection
      return;
    }
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"', 'Content-Type': 'text/plain' });
      res.end('Unauthorized\n');
      return;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // Pushing over HTTP needs receive-pack switched on explicitly (REMOTE_USER also enables it).
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
    };
    // Without CONTENT_LENGTH http-backend reads to EOF, which is what chunked pushes need.
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    // http-backend inflates gzip'd request bodies itself when told the encoding.
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

    const child = spawn(gitHttpBackend(), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {}); // backend may exit before reading everything (e.g. 404)
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    // CGI output: headers, blank line, body. Parse headers, then stream the rest.
    let head = Buffer.alloc(0);
    let headersDone = false;
    record.bytesOut = 0;
    const onData = (chunk: Buffer): void => {
      if (headersDone) {
        record.bytesOut = (record.bytesOut ?? 0) + chunk.length;
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sepLength = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sepLength = 2;
      }
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      const rest = head.subarray(end + sepLength);
      record.bytesOut = (record.bytesOut ?? 0) + rest.length;
      if (rest.length > 0) res.write(rest);
    };
    child.stdout.on('data', onData);
    child.on('error', (error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git-http-backend failed to start: ${error.message}\n`);
    });
    child.on('close', (code) => {
      if (!headersDone) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git-http-backend exited with ${code}: ${stderr}`);
        return;
      }
      res.end();
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    // Idempotent, so both a test and its afterEach may close.
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
