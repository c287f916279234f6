/**
 * What docker/metadata-action (the version pinned in render.ts, v5.7.0) makes of the `tags:` lines this generator
 * emits, for one push. Written from the action's source (src/tag.ts `Parse`/`Transform`, src/meta.ts
 * `getVersion` and the `proc*` functions), for the types the generator uses and `semver` (so tests can show why
 * it is not used):
 *
 * - lines are sorted by priority (semver 900, match 800, edge 700, ref 600, raw 200, sha 100), ties in input order;
 * - the `version` output is the first non-empty value in that order; later different values are extra tags;
 * - a line is split on `,` into fields and each field on `=`, keeping only the text before a second `=`;
 * - `enable` must be `true` or `false` (GitHub has evaluated the `${{ }}` already);
 * - `semver`/`match` only work on a tag push; a tag that is not semver (or does not match) yields nothing;
 * - for a semver pre-release, every pattern but a lone `{{raw}}` renders as `{{version}}`;
 * - `prefix`/`suffix` take `{{sha}}` (7 characters), `{{branch}}`, `{{tag}}`; the value is sanitised
 *   (`[^a-zA-Z0-9._-]+` -> `-`).
 */
import Handlebars from 'handlebars';

export interface Push {
  /** e.g. refs/heads/main, refs/tags/v1.2.3 */
  ref: string;
  sha: string;
}

export interface MetadataResult {
  /** The `version` output; '' when no line gave a value. */
  version: string;
  /** Every distinct value (version first), i.e. the tags pushed per image. */
  values: string[];
  warnings: string[];
}

const PRIORITY: Record<string, number> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

interface ParsedLine {
  type: string;
  attrs: Record<string, string>;
}

/** tag.ts `Parse`, for lines without quotes (the generator never writes `"` or `,` inside a value). */
export function parseTagLine(line: string): ParsedLine {
  const attrs: Record<string, string> = {};
  let type = 'raw';
  for (const field of line.split(',')) {
    const parts = field.split('=').map((p) => p.trim());
    if (parts.length === 1) attrs.value = parts[0]!;
    else if (parts[0]!.toLowerCase() === 'type') {
      if (!(parts[1]! in PRIORITY)) throw new Error(`Unknown tag type attribute: ${parts[1]}`);
      type = parts[1]!;
    } else attrs[parts[0]!.toLowerCase()] = parts[1]!;
  }
  if ((type === 'semver' || type === 'match') && attrs.pattern === undefined) {
    throw new Error(`Missing pattern attribute for ${line}`);
  }
  if (type === 'match') attrs.group ??= '0';
  if (type === 'semver' || type === 'match') attrs.value ??= '';
  if (type === 'ref' && !['branch', 'tag', 'pr'].includes(attrs.event ?? ''))
    throw new Error(`Invalid event for ${line}`);
  if (type === 'sha') {
    attrs.prefix ??= 'sha-';
    attrs.format ??= 'short';
  }
  attrs.enable ??= 'true';
  attrs.priority ??= String(PRIORITY[type]);
  return { type, attrs };
}

/** semver.valid (not loose): an optional v, then MAJOR.MINOR.PATCH without leading zeros, pre-release, build. */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function isSemver(text: string): boolean {
  return SEMVER.test(text.trim());
}

const hbs = Handlebars.create();

export function runMetadata(lines: string[], push: Push): MetadataResult {
  const parsed = lines.map(parseTagLine);
  // Array.prototype.sort is stable: equal priorities keep input order, as in the action.
  const sorted = [...parsed].sort((a, b) => Number(b.attrs.priority) - Number(a.attrs.priority));
  const warnings: string[] = [];
  const values: string[] = [];
  const isTag = push.ref.startsWith('refs/tags/');
  const isBranch = push.ref.startsWith('refs/heads/');
  const tagName = push.ref.replace(/^refs\/tags\//, '');
  const branchName = push.ref.replace(/^refs\/heads\//, '');
  const globals = (text: string) =>
    hbs.compile(text)({
      sha: () => push.sha.slice(0, 7),
      branch: () => (isBranch ? branchName : ''),
      tag: () => (isTag ? tagName : ''),
    });
  const setValue = (val: string, attrs: Record<string, string>) =>
    `${attrs.prefix !== undefined ? globals(attrs.prefix) : ''}${val}${attrs.suffix !== undefined ? globals(attrs.suffix) : ''}`;
  const add = (val: string) => {
    if (val.length === 0) return;
    const clean = val.replace(/[^a-zA-Z0-9._-]+/g, '-');
    if (!values.includes(clean)) values.push(clean);
  };
  for (const { type, attrs } of sorted) {
    const enable = globals(attrs.enable!);
    if (enable !== 'true' && enable !== 'false') throw new Error(`Invalid value for enable attribute: ${enable}`);
    if (enable !== 'true') continue;
    switch (type) {
      case 'semver': {
        if (!isTag && attrs.value === '') break;
        const raw = attrs.value ? globals(attrs.value) : tagName.replace(/\//g, '-');
        const m = SEMVER.exec(raw.trim());
        if (!m) {
          warnings.push(`${raw} is not a valid semver. More info: https://semver.org/`);
          break;
        }
        const version = `${m[1]}.${m[2]}.${m[3]}${m[4] ? `-${m[4]}` : ''}`;
        const view = { raw: () => raw, version, major: m[1], minor: m[2], patch: m[3] };
        const lone = /^\s*\{\{\s*raw\s*\}\}\s*$/.test(attrs.pattern!);
        const pattern = m[4] && !lone ? '{{version}}' : attrs.pattern!;
        add(setValue(hbs.compile(pattern)(view), attrs));
        break;
      }
      case 'match': {
        if (!isTag && attrs.value === '') break;
        const raw = attrs.value ? globals(attrs.value) : tagName;
        const literal = /^\/(.+)\/(.*)$/.exec(attrs.pattern!);
        const m = literal ? raw.match(new RegExp(literal[1]!, literal[2])) : raw.match(new RegExp(attrs.pattern!));
        if (!m) {
          warnings.push(`${attrs.pattern} does not match ${raw}.`);
          break;
        }
        const group = m[Number(attrs.group)];
        if (group === undefined) {
          warnings.push(`Group ${attrs.group} does not exist for ${attrs.pattern} pattern.`);
          break;
        }
        add(setValue(group, attrs));
        break;
      }
      case 'ref': {
        if (attrs.event === 'branch' && isBranch) add(setValue(branchName, attrs));
        if (attrs.event === 'tag' && isTag) add(setValue(tagName, attrs));
        break;
      }
      case 'raw':
        add(setValue(globals(attrs.value ?? ''), attrs));
        break;
      case 'sha':
        add(setValue(attrs.format === 'short' ? push.sha.slice(0, 7) : push.sha, attrs));
        break;
      default:
        throw new Error(`type=${type} is not modelled here`);
    }
  }
  return { version: values[0] ?? '', values, warnings };
}

/**
 * GitHub's filter pattern for `on.push.branches`/`tags`, for the forms the config accepts: literal characters,
 * `*` (anything but `/`) and `**` (anything).
 */
export function filterMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}
