/**
 * A loopback stand-in for GitHub's GraphQL API (POST /graphql, and /api/graphql as on GitHub Enterprise Server).
 * Every document is executed by graphql-js against GitHub's published schema (@octokit/graphql-schema's
 * schema.graphql), so a field, argument or input GitHub does not have fails validation here as it would there;
 * such failures are also recorded in `violations`. The resolvers read and write the same bare repositories the
 * git-over-HTTP server serves (`${root}/<owner>/<name>.git`), so both commit methods can run against one remote.
 *
 * Errors have GitHub's shape: `{ data, errors: [{ type, path, locations, message }] }` with HTTP 200, e.g. STALE_DATA
 * from createCommitOnBranch when the branch is not at `expectedHeadOid`, NOT_FOUND for an unknown repository; a bad
 * token gets HTTP 401 with `{ message: "Bad credentials" }`. Tests can move a branch between a client's read and its
 * mutation (`beforeMutation`), apply a mutation and then answer 502 (`failAfterApply`), or hold mutations until
 * several have arrived (`holdMutations`, a barrier, so races need no sleeps).
 */
import { execFile } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSchema, type GraphQLError, graphql, type OperationDefinitionNode, parse } from 'graphql';

/** schema.graphql of @octokit/graphql-schema, found the way Node finds packages (the package exports no file path). */
function schemaPath(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@octokit', 'graphql-schema', 'schema.graphql');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('@octokit/graphql-schema is not installed (npm ci)');
  }
}
let cachedSchema: ReturnType<typeof buildSchema> | undefined;
/** GitHub's schema. `assumeValidSDL`: the published file repeats two fields of an enterprise type. */
export function githubSchema(): ReturnType<typeof buildSchema> {
  cachedSchema ??= buildSchema(readFileSync(schemaPath(), 'utf8'), { assumeValidSDL: true });
  return cachedSchema;
}

export interface GraphqlRequestRecord {
  /** `query` or `mutation`, and the operation's name (or the first field). */
  operation: 'query' | 'mutation' | 'invalid';
  name: string;
  /** Top-level fields, e.g. ['createCommitOnBranch']. */
  fields: string[];
  status: number;
  /** GitHub error types answered, e.g. ['STALE_DATA']. */
  errorTypes: string[];
  /** Variables as sent (they may hold file contents, never the token). */
  variables: Record<string, unknown>;
  /** Request and response body bytes. */
  bytesIn: number;
  bytesOut: number;
}

export interface MutationInfo {
  field: string;
  input: Record<string, unknown>;
}

export interface GitHubGraphqlServer {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** http://127.0.0.1:PORT (as api-url: GraphQL is then at `${base}/graphql`); `${base}/api/v3` works too. */
  base: string;
  requests: GraphqlRequestRecord[];
  /** Schema violations and malformed requests: a correct client leaves this empty. */
  violations: string[];
  /** Runs `fn` once, before the next mutation checks the branch head (e.g. another writer commits). */
  beforeMutation(fn: (m: MutationInfo) => Promise<void>): void;
  /** The next `count` createCommitOnBranch mutations are applied, then answered with HTTP 502. */
  failAfterApply(count?: number): void;
  /** The next `count` createCommitOnBranch mutations wait until all `count` have arrived, then run. */
  holdMutations(count: number): void;
  close(): Promise<void>;
}

export interface GitHubGraphqlOptions {
  /** Folder holding `<owner>/<name>.git` bare repositories. */
  root: string;
  /** Only this token is accepted (`bearer <token>` or `token <token>`). */
  token: string;
  /** Login the token belongs to: the author of API commits. Default `octocat`. */
  login?: string;
  serverUrl?: string;
}

/** An error in GitHub's GraphQL shape: a `type` beside the message. */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function run(cwd: string, args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        encoding: 'buffer',
        maxBuffer: 512 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : 1
          : 0;
        if (error && typeof (error as { code?: unknown }).code !== 'number') return reject(error);
        resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString('utf8') });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

async function gitOut(cwd: string, args: string[], options?: Parameters<typeof run>[2]): Promise<string> {
  const r = await run(cwd, args, options);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString('utf8').trim();
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export async function startGitHubGraphql(options: GitHubGraphqlOptions): Promise<GitHubGraphqlServer> {
  const schema = githubSchema();
  const login = options.login ?? 'octocat';
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const requests: GraphqlRequestRecord[] = [];
  const violations: string[] = [];
  const hooks: ((m: MutationInfo) => Promise<void>)[] = [];
  let failAfter = 0;
  let hold: { count: number; waiting: (() => void)[] } | undefined;
  // One writer at a time per repository for building objects; the compare-and-swap itself is update-ref's.
  const expected = Buffer.from(options.token, 'utf8');

  const authorized = (header: string | undefined): boolean => {
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1], 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const bareOf = (owner: string, name: string) => join(options.root, owner, `${name}.git`);

  // A bare repository is a folder with HEAD and objects/ (what `git rev-parse --git-dir` would accept there).
  async function exists(bare: string): Promise<boolean> {
    return existsSync(join(bare, 'HEAD')) && existsSync(join(bare, 'objects'));
  }

  // What git says about an object id never changes, so each answer is kept per repository: racing clients re-read
  // the same trees and blobs many times, and each git process costs a fork of this (large) test process.
  // Refs move, so ref lookups are never kept; failures are not kept either (an object may arrive later).
  const known = new Map<string, Map<string, Promise<unknown>>>();
  const FULL_OID = /^[0-9a-f]{40}(?::|$)/;

  function repository(owner: string, name: string) {
    const bare = bareOf(owner, name);
    const nameWithOwner = `${owner}/${name}`;
    const repoId = b64(`Repository:${nameWithOwner}`);
    const kept = known.get(bare) ?? new Map<string, Promise<unknown>>();
    known.set(bare, kept);
    /** `lookup()` once per key while it succeeds (resolves to something other than undefined). */
    const once = <T>(key: string, lookup: () => Promise<T>): Promise<T> => {
      const hit = kept.get(key) as Promise<T> | undefined;
      if (hit) return hit;
      const answer = lookup();
      kept.set(key, answer);
      answer.then(
        (value) => value === undefined && kept.delete(key),
        () => kept.delete(key),
      );
      return answer;
    };

    const typeOf = (oid: string): Promise<string | undefined> =>
      once(`type ${oid}`, async () => {
        const r = await run(bare, ['cat-file', '-t', oid]);
        return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
      });

    const object = async (oid: string): Promise<Record<string, unknown> | null> => {
      const type = await typeOf(oid);
      if (type === 'commit') return commit(oid);
      if (type === 'tree') return tree(oid);
      if (type === 'blob') return blob(oid);
      return null;
    };

    const commit = (oid: string) => {
      let info: Promise<{ parents: string[]; message: string }> | undefined;
      const load = () => {
        info ??= once(`commit ${oid}`, () =>
          gitOut(bare, ['log', '-1', '--format=%P%x00%B', oid]).then((out) => {
            const [parents = '', message = ''] = out.split('\0');
            return { parents: parents.split(' ').filter((p) => p !== ''), message: message.replace(/\n+$/, '') };
          }),
        );
        return info;
      };
      return {
        __typename: 'Commit',
        id: b64(`Commit:${oid}`),
        oid,
        abbreviatedOid: oid.slice(0, 7),
        url: `${serverUrl}/${nameWithOwner}/commit/${oid}`,
        message: async () => (await load()).message,
        messageHeadline: async () => (await load()).message.split('\n')[0],
        messageBody: async () => (await load()).message.split('\n').slice(2).join('\n'),
        tree: async () => tree(await once(`tree of ${oid}`, () => gitOut(bare, ['rev-parse', `${oid}^{tree}`]))),
        parents: async (args: { first?: number }) => ({
          nodes: (await load()).parents.slice(0, args.first ?? 100).map(commit),
          totalCount: (await load()).parents.length,
        }),
        history: async (args: { first?: number }) => {
          const count = args.first ?? 100;
          const out = await once(`history ${count} ${oid}`, () =>
            gitOut(bare, ['rev-list', `--max-count=${count}`, oid]),
          );
          return {
            nodes: out
              .split('\n')
              .filter((s) => s !== '')
              .map(commit),
          };
        },
      };
    };

    const tree = (oid: string) => ({
      __typename: 'Tree',
      id: b64(`Tree:${oid}`),
      oid,
      abbreviatedOid: oid.slice(0, 7),
      entries: async () => {
        const listing = await once(`entries ${oid}`, async () => {
          const r = await run(bare, ['ls-tree', '-z', oid]);
          return r.code === 0 ? r.stdout.toString('utf8') : undefined;
        });
        const out = listing ?? '';
        return out
          .split('\0')
          .filter((line) => line !== '')
          .map((line) => {
            const tab = line.indexOf('\t');
            const [mode = '', type = '', entryOid = ''] = line.slice(0, tab).split(' ');
            const name = line.slice(tab + 1);
            return {
              name,
              type,
              mode: Number.parseInt(mode, 8),
              oid: entryOid,
              object: () => (type === 'commit' ? null : type === 'tree' ? tree(entryOid) : blob(entryOid)),
            };
          });
      },
    });

    const blob = (oid: string) => {
      let bytes: Promise<Buffer> | undefined;
      const load = () => {
        bytes ??= once(`blob ${oid}`, async () => {
          const r = await run(bare, ['cat-file', 'blob', oid]);
          return r.code === 0 ? r.stdout : undefined;
        }).then((b) => b ?? Buffer.alloc(0));
        return bytes;
      };
      return {
        __typename: 'Blob',
        id: b64(`Blob:${oid}`),
        oid,
        abbreviatedOid: oid.slice(0, 7),
        byteSize: async () => (await load()).length,
        isBinary: async () => (await load()).includes(0),
        isTruncated: false,
        text: async () => {
          const data = await load();
          return data.includes(0) ? null : data.toString('utf8');
        },
      };
    };

    const ref = async (qualifiedName: string) => {
      const full = qualifiedName.startsWith('refs/') ? qualifiedName : `refs/heads/${qualifiedName}`;
      const r = await run(bare, ['rev-parse', '--verify', '--quiet', full]);
      if (r.code !== 0) return null;
      const oid = r.stdout.toString('utf8').trim();
      return {
        __typename: 'Ref',
        id: b64(`Ref:${nameWithOwner}:${full}`),
        name: full.replace(/^refs\/(heads|tags)\//, ''),
        prefix: full.replace(/[^/]+$/, ''),
        target: () => commit(oid),
      };
    };

    return {
      bare,
      nameWithOwner,
      value: {
        __typename: 'Repository',
        id: repoId,
        name,
        nameWithOwner,
        ref: (args: { qualifiedName: string }) => ref(args.qualifiedName),
        defaultBranchRef: async () => ref(await gitOut(bare, ['symbolic-ref', 'HEAD'])),
        object: async (args: { oid?: string; expression?: string }) => {
          const spec = args.oid ?? args.expression;
          if (!spec) return null;
          // `<rev>:<path>` names an object already; a bare oid or rev gets ^{object} so rev-parse checks it exists.
          const resolve = async () => {
            const r = await run(bare, [
              'rev-parse',
              '--verify',
              '--quiet',
              spec.includes(':') ? spec : `${spec}^{object}`,
            ]);
            return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
          };
          // Only a name that starts with a full object id always means the same object; a branch name moves.
          const oid = FULL_OID.test(spec) ? await once(`object ${spec}`, resolve) : await resolve();
          return oid === undefined ? null : object(oid);
        },
      },
    };
  }

  const decodeId = (id: string) => Buffer.from(id, 'base64').toString('utf8');

  async function repositoryByName(nameWithOwner: string) {
    const [owner = '', name = ''] = nameWithOwner.split('/');
    const r = repository(owner, name);
    if (!owner || !name || !(await exists(r.bare))) {
      throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${nameWithOwner}'.`);
    }
    return r;
  }

  async function beforeWrite(field: string, input: Record<string, unknown>): Promise<void> {
    const hook = hooks.shift();
    if (hook) await hook({ field, input });
  }

  async function createCommitOnBranch(args: { input: Record<string, unknown> }) {
    const input = args.input as {
      branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string };
      expectedHeadOid: string;
      message: { headline: string; body?: string | null };
      fileChanges?: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] } | null;
    };
    if (hold) {
      const h = hold;
      await new Promise<void>((resolve) => {
        h.waiting.push(resolve);
        if (h.waiting.length >= h.count) {
          hold = undefined;
          for (const release of h.waiting) release();
        }
      });
    }
    let nameWithOwner = input.branch.repositoryNameWithOwner ?? '';
    let branch = input.branch.branchName ?? '';
    if (input.branch.id) {
      const match = /^Ref:([^:]+):refs\/heads\/(.+)$/.exec(decodeId(input.branch.id));
      if (!match)
        throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${input.branch.id}'`);
      nameWithOwner = match[1]!;
      branch = match[2]!;
    }
    const repo = await repositoryByName(nameWithOwner);
    const bare = repo.bare;
    const refName = `refs/heads/${branch}`;
    await beforeWrite('createCommitOnBranch', args.input);
    const current = await run(bare, ['rev-parse', '--verify', '--quiet', refName]);
    if (current.code !== 0) {
      throw new TypedError('NOT_FOUND', `A ref named "${refName}" does not exist in the repository.`);
    }
    const stale = () =>
      new TypedError(
        'STALE_DATA',
        `Expected branch to point to "${input.expectedHeadOid}" but it did not.  Pull and try again.`,
      );
    if (current.stdout.toString('utf8').trim() !== input.expectedHeadOid) throw stale();
    const tmp = await mkdtemp(join(tmpdir(), 'graphql-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(tmp, 'index') };
      await gitOut(bare, ['read-tree', input.expectedHeadOid], { env });
      for (const addition of input.fileChanges?.additions ?? []) {
        const blobOid = await gitOut(bare, ['hash-object', '-w', '--stdin'], {
          input: Buffer.from(addition.contents, 'base64'),
        });
        await gitOut(bare, ['update-index', '--add', '--cacheinfo', `100644,${blobOid},${addition.path}`], { env });
      }
      for (const deletion of input.fileChanges?.deletions ?? []) {
        await gitOut(bare, ['update-index', '--force-remove', deletion.path], { env });
      }
      const treeOid = await gitOut(bare, ['write-tree'], { env });
      const body = input.message.body ? `\n\n${input.message.body}` : '';
      const newOid = await gitOut(bare, ['commit-tree', treeOid, '-p', input.expectedHeadOid], {
        input: `${input.message.headline}${body}\n`,
        env: {
          GIT_AUTHOR_NAME: login,
          GIT_AUTHOR_EMAIL: `${login}@users.noreply.github.com`,
          GIT_COMMITTER_NAME: 'GitHub',
          GIT_COMMITTER_EMAIL: 'noreply@github.com',
        },
      });
      // The compare-and-swap: update-ref moves the branch only if it still points at the expected head.
      const moved = await run(bare, ['update-ref', refName, newOid, input.expectedHeadOid]);
      if (moved.code !== 0) throw stale();
      const r = repository(...(repo.nameWithOwner.split('/') as [string, string]));
      return {
        commit: (await r.value.object({ oid: newOid })) as unknown,
        ref: await r.value.ref({ qualifiedName: refName }),
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async function refMutation(kind: 'create' | 'update', input: Record<string, unknown>) {
    await beforeWrite(kind === 'create' ? 'createRef' : 'updateRef', input);
    if (kind === 'create') {
      const { repositoryId, name, oid } = input as { repositoryId: string; name: string; oid: string };
      const match = /^Repository:(.+)$/.exec(decodeId(repositoryId));
      if (!match)
        throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${repositoryId}'`);
      const repo = await repositoryByName(match[1]!);
      if (!name.startsWith('refs/')) throw new TypedError('UNPROCESSABLE', 'Reference name must start with refs/');
      const done = await run(repo.bare, ['update-ref', name, oid, '0'.repeat(40)]);
      if (done.code !== 0)
        throw new TypedError('UNPROCESSABLE', `A ref named "${name}" already exists in the repository.`);
      return { ref: await repo.value.ref({ qualifiedName: name }) };
    }
    const { refId, oid, force } = input as { refId: string; oid: string; force?: boolean };
    const match = /^Ref:([^:]+):(.+)$/.exec(decodeId(refId));
    if (!match) throw new TypedError('NOT_FOUND', `Could not resolve to a node with the global id of '${refId}'`);
    const repo = await repositoryByName(match[1]!);
    if (!force) {
      const ff = await run(repo.bare, ['merge-base', '--is-ancestor', match[2]!, oid]);
      if (ff.code !== 0) throw new TypedError('UNPROCESSABLE', 'Update is not a fast forward');
    }
    await gitOut(repo.bare, ['update-ref', match[2]!, oid]);
    return { ref: await repo.value.ref({ qualifiedName: match[2]! }) };
  }

  const rootValue = {
    repository: async (args: { owner: string; name: string }) => {
      const r = repository(args.owner, args.name);
      if (!(await exists(r.bare))) {
        throw new TypedError(
          'NOT_FOUND',
          `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`,
        );
      }
      return r.value;
    },
    createCommitOnBranch: createCommitOnBranch,
    createRef: (args: { input: Record<string, unknown> }) => refMutation('create', args.input),
    updateRef: (args: { input: Record<string, unknown> }) => refMutation('update', args.input),
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const record: GraphqlRequestRecord = {
      bytesIn: chunks.reduce((n, c) => n + c.length, 0),
      bytesOut: 0,
      operation: 'invalid',
      name: '',
      fields: [],
      status: 0,
      errorTypes: [],
      variables: {},
    };
    requests.push(record);
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      record.bytesOut = Buffer.byteLength(typeof body === 'string' ? body : JSON.stringify(body));
      send(res, status, body, headers);
    };
    if (req.method !== 'POST' || (path !== '/graphql' && path !== '/api/graphql')) {
      violations.push(`${req.method} ${path}: GitHub's GraphQL API takes POST /graphql (or /api/graphql on GHES)`);
      return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/graphql' });
    }
    if (!authorized(req.headers.authorization)) {
      return answer(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/graphql',
        status: '401',
      });
    }
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      violations.push('request body is not JSON');
      return answer(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' });
    }
    if (typeof body.query !== 'string') {
      violations.push('request has no query string');
      return answer(200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
    }
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    record.variables = variables;
    try {
      const doc = parse(body.query);
      const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
      if (op) {
        record.operation = op.operation === 'mutation' ? 'mutation' : 'query';
        record.fields = op.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : s.kind));
        record.name = op.name?.value ?? record.fields[0] ?? '';
      }
    } catch {
      // graphql() reports the syntax error below
    }
    const result = await graphql({ schema, source: body.query, rootValue, variableValues: variables });
    const errors = (result.errors ?? []).map((e: GraphQLError) => {
      const original = e.originalError;
      if (original instanceof TypedError) {
        return { type: original.type, path: e.path, locations: e.locations, message: original.message };
      }
      if (!e.path)
        violations.push(`schema: ${e.message}`); // validation: the document does not fit GitHub's schema
      else violations.push(`resolver: ${e.message}`);
      return { path: e.path, locations: e.locations, message: e.message };
    });
    record.errorTypes = errors.map((e) => ('type' in e ? String(e.type) : 'VALIDATION'));
    const applied = errors.length === 0 && record.fields.includes('createCommitOnBranch');
    if (applied && failAfter > 0) {
      failAfter--;
      return answer(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' });
    }
    return answer(200, errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(`server: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { message: 'Server Error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${base}/graphql`,
    base,
    requests,
    violations,
    beforeMutation: (fn) => hooks.push(fn),
    failAfterApply: (count = 1) => {
      failAfter += count;
    },
    holdMutations: (count) => {
      hold = { count, waiting: [] };
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
