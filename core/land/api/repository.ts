/**
 * The GraphQL reads and writes of `commit-method: api`: branch heads, tree listings, file contents, refs and the
 * `createCommitOnBranch` mutation. Every document here is checked in tests against GitHub's published schema.
 */
import type { GitHubGraphql } from '../../github/graphql.js';

export interface RepositoryName {
  owner: string;
  name: string;
}

export function splitRepository(repository: string): RepositoryName {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!match) throw new Error(`Repository is ${JSON.stringify(repository)}; expected owner/repo`);
  return { owner: match[1]!, name: match[2]! };
}

export interface BranchHead {
  /** The repository's node id (createRef needs it). */
  repositoryId: string;
  branch: string;
  /** The Ref's node id (updateRef needs it); '' when the branch does not exist. */
  refId: string;
  /** Head commit; '' when the branch does not exist. */
  oid: string;
}

const HEAD = `query BranchHead($owner: String!, $name: String!, $ref: String!, $named: Boolean!) {
  repository(owner: $owner, name: $name) {
    id
    ref(qualifiedName: $ref) @include(if: $named) { id name target { oid } }
    defaultBranchRef @skip(if: $named) { id name target { oid } }
  }
}`;

interface RefData {
  id: string;
  name: string;
  target: { oid: string } | null;
}

/** The head of `branch` (default: the repository's default branch). */
export async function readBranchHead(
  api: GitHubGraphql,
  repo: RepositoryName,
  branch: string | undefined,
): Promise<BranchHead> {
  const data = await api.query<{
    repository: { id: string; ref?: RefData | null; defaultBranchRef?: RefData | null } | null;
  }>(HEAD, { ...repo, ref: `refs/heads/${branch ?? ''}`, named: branch !== undefined });
  const r = data.repository;
  if (!r) throw new Error(`GitHub returned no repository ${repo.owner}/${repo.name}`);
  const ref = branch !== undefined ? r.ref : r.defaultBranchRef;
  return {
    repositoryId: r.id,
    branch: branch ?? ref?.name ?? '',
    refId: ref?.id ?? '',
    oid: ref?.target?.oid ?? '',
  };
}

export interface TreeEntry {
  /** Repo-relative, '/'-separated. */
  path: string;
  /** Git file mode as a number: 0o100644, 0o100755, 0o120000 (symlink), 0o160000 (submodule), 0o40000 (tree). */
  mode: number;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
}

/** Levels of a tree fetched by one query; deeper trees take another query (batched). */
const LEVELS_PER_QUERY = 4;
/** Trees fetched together in one query once the first levels are known. */
const TREES_PER_QUERY = 50;

function entriesSelection(levels: number): string {
  const nested = levels > 1 ? ` object { ... on Tree { ${entriesSelection(levels - 1)} } }` : '';
  return `entries { name type mode oid${nested} }`;
}

interface RawEntry {
  name: string;
  type: string;
  mode: number;
  oid: string;
  object?: { entries?: RawEntry[] | null } | null;
}

/**
 * Every entry below `dir` (repo-relative, '' = root) of commit `commit`, down to `depth` levels (Infinity = all).
 * Queries grow with the depth of the listing, not the number of files: up to LEVELS_PER_QUERY levels per query,
 * and the trees left at the frontier are fetched TREES_PER_QUERY at a time.
 */
export async function listTree(
  api: GitHubGraphql,
  repo: RepositoryName,
  commit: string,
  dir: string,
  depth: number,
): Promise<TreeEntry[] | undefined> {
  const out: TreeEntry[] = [];
  const levels = Math.min(depth, LEVELS_PER_QUERY);
  const first = await api.query<{ repository: { object: { entries?: RawEntry[] | null } | null } }>(
    `query Tree($owner: String!, $name: String!, $expression: String!) {
      repository(owner: $owner, name: $name) { object(expression: $expression) { ... on Tree { ${entriesSelection(levels)} } } }
    }`,
    { ...repo, expression: `${commit}:${dir}` },
  );
  const root = first.repository.object;
  if (!root || !Array.isArray(root.entries)) return undefined; // no such directory (or it is a file)
  let frontier: { path: string; oid: string; remaining: number }[] = [];
  // `remaining`: levels still wanted below `prefix`; `left`: levels this answer still holds below it.
  const walk = (entries: RawEntry[], prefix: string, remaining: number, left: number): void => {
    for (const e of entries) {
      const path = prefix === '' ? e.name : `${prefix}/${e.name}`;
      const type = e.type === 'tree' || e.type === 'commit' ? e.type : 'blob';
      out.push({ path, mode: e.mode, type, oid: e.oid });
      if (type !== 'tree' || remaining <= 1) continue;
      if (left > 1 && e.object && Array.isArray(e.object.entries))
        walk(e.object.entries, path, remaining - 1, left - 1);
      else frontier.push({ path, oid: e.oid, remaining: remaining - 1 });
    }
  };
  walk(root.entries, dir, depth, levels);
  while (frontier.length > 0) {
    const batch = frontier.slice(0, TREES_PER_QUERY);
    frontier = frontier.slice(TREES_PER_QUERY);
    const lv = Math.min(LEVELS_PER_QUERY, Math.max(...batch.map((b) => b.remaining)));
    const fields = batch
      .map((b, i) => `t${i}: object(oid: "${b.oid}") { ... on Tree { ${entriesSelection(lv)} } }`)
      .join('\n');
    const data = await api.query<{ repository: Record<string, { entries?: RawEntry[] | null } | null> }>(
      `query Trees($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`,
      { ...repo },
    );
    batch.forEach((b, i) => {
      const entries = data.repository[`t${i}`]?.entries;
      if (Array.isArray(entries)) walk(entries, b.path, b.remaining, lv);
    });
  }
  return out;
}

export interface BlobText {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
  byteSize: number;
}

/** Contents of blobs by oid, BLOBS_PER_QUERY per query. */
export async function readBlobs(
  api: GitHubGraphql,
  repo: RepositoryName,
  oids: string[],
): Promise<Map<string, BlobText | null>> {
  const out = new Map<string, BlobText | null>();
  const unique = [...new Set(oids)];
  for (let i = 0; i < unique.length; i += BLOBS_PER_QUERY) {
    const batch = unique.slice(i, i + BLOBS_PER_QUERY);
    const fields = batch
      .map((oid, k) => `b${k}: object(oid: "${oid}") { ... on Blob { text isBinary isTruncated byteSize } }`)
      .join('\n');
    const data = await api.query<{ repository: Record<string, BlobText | null> }>(
      `query Blobs($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`,
      { ...repo },
    );
    batch.forEach((oid, k) => {
      out.set(oid, data.repository[`b${k}`] ?? null);
    });
  }
  return out;
}

const BLOBS_PER_QUERY = 50;

export interface HistoryCommit {
  oid: string;
  message: string;
  parents: string[];
}

/** The newest `count` commits of `branch`, newest first. */
export async function readHistory(
  api: GitHubGraphql,
  repo: RepositoryName,
  branch: string,
  count: number,
): Promise<HistoryCommit[]> {
  const data = await api.query<{
    repository: {
      ref: {
        target: {
          history?: { nodes: { oid: string; message: string; parents: { nodes: { oid: string }[] } }[] };
        } | null;
      } | null;
    };
  }>(
    `query History($owner: String!, $name: String!, $ref: String!, $count: Int!) {
      repository(owner: $owner, name: $name) {
        ref(qualifiedName: $ref) { target { ... on Commit { history(first: $count) { nodes { oid message parents(first: 2) { nodes { oid } } } } } } }
      }
    }`,
    { ...repo, ref: `refs/heads/${branch}`, count },
  );
  const nodes = data.repository.ref?.target?.history?.nodes ?? [];
  return nodes.map((n) => ({ oid: n.oid, message: n.message, parents: n.parents.nodes.map((p) => p.oid) }));
}

export interface CommitInput {
  repository: string;
  branch: string;
  expectedHeadOid: string;
  headline: string;
  body: string;
  /** path -> new bytes */
  additions: { path: string; contents: Buffer }[];
}

/** createCommitOnBranch, sent once (see GitHubGraphql.send). Returns the new commit's oid. */
export async function createCommitOnBranch(api: GitHubGraphql, c: CommitInput): Promise<string> {
  const data = await api.send<{ createCommitOnBranch: { commit: { oid: string } | null } | null }>(
    `mutation CreateCommit($input: CreateCommitOnBranchInput!) {
      createCommitOnBranch(input: $input) { commit { oid } }
    }`,
    {
      input: {
        branch: { repositoryNameWithOwner: c.repository, branchName: c.branch },
        expectedHeadOid: c.expectedHeadOid,
        message: c.body === '' ? { headline: c.headline } : { headline: c.headline, body: c.body },
        fileChanges: {
          additions: c.additions.map((a) => ({ path: a.path, contents: a.contents.toString('base64') })),
        },
      },
    },
  );
  const oid = data.createCommitOnBranch?.commit?.oid;
  if (!oid) throw new Error('createCommitOnBranch answered without a commit');
  return oid;
}

/**
 * Points `refs/heads/<branch>` at `oid`: creates it, or moves it (force: the branch belongs to this tool). Sent once:
 * the caller re-reads the branch after a failure.
 */
export async function setBranch(api: GitHubGraphql, head: BranchHead, branch: string, oid: string): Promise<void> {
  if (head.refId === '') {
    await api.send(`mutation CreateRef($input: CreateRefInput!) { createRef(input: $input) { ref { id } } }`, {
      input: { repositoryId: head.repositoryId, name: `refs/heads/${branch}`, oid },
    });
  } else {
    await api.send(`mutation UpdateRef($input: UpdateRefInput!) { updateRef(input: $input) { ref { id } } }`, {
      input: { refId: head.refId, oid, force: true },
    });
  }
}

/** Texts of `paths` at `commit` (absent or binary -> not in the map), in one query. */
export async function readFilesAt(
  api: GitHubGraphql,
  repo: RepositoryName,
  commit: string,
  paths: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (paths.length === 0) return out;
  const fields = paths
    .map(
      (p, k) => `f${k}: object(expression: ${JSON.stringify(`${commit}:${p}`)}) { ... on Blob { text isTruncated } }`,
    )
    .join('\n');
  const data = await api.query<{ repository: Record<string, { text?: string | null; isTruncated?: boolean } | null> }>(
    `query Files($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`,
    { ...repo },
  );
  paths.forEach((p, k) => {
    const blob = data.repository[`f${k}`];
    if (blob && typeof blob.text === 'string' && !blob.isTruncated) out.set(p, blob.text);
  });
  return out;
}
