/**
 * The native glob dialect as it was translated by hand before core/rules/glob.ts handed it to picomatch, kept
 * verbatim as the reference for test/rules/glob-differential.test.ts. Not used by the product.
 */
import { expandBraces } from '../../core/rules/glob.js';

/** Same guard as the product's: no absolute paths, `..` segments or `.git` segments. */
const GUARD = '(?!/)(?![^]*?(?:^|/)\\.\\.(?:/|$))(?![^]*?(?:^|/)\\.[gG][iI][tT](?:/|$))';

/** The old `globToRegExp(pattern, 'native')`, minus the safety checks (callers run `checkGlob` first). */
export function oracleNativeRegExp(pattern: string): RegExp {
  return new RegExp(`^${GUARD}(?:${expandBraces(pattern).map(nativeBody).join('|')})$`);
}

function readClass(pattern: string, i: number, excludeSlash: boolean): { source: string; next: number } | undefined {
  let j = i + 1;
  let negated = false;
  if (pattern[j] === '!' || pattern[j] === '^') {
    negated = true;
    j++;
  }
  let body = '';
  let first = true;
  for (; j < pattern.length; j++) {
    const c = pattern[j]!;
    if (c === ']' && !first) {
      if (body === '') return undefined;
      if (excludeSlash) {
        return { source: negated ? `[^/${body}]` : `(?:(?!/)[${body}])`, next: j + 1 };
      }
      return { source: `[${negated ? '^' : ''}${body}]`, next: j + 1 };
    }
    first = false;
    if (c === '\\') {
      const escaped = pattern[j + 1];
      if (escaped === undefined) return undefined;
      body += escapeClassChar(escaped);
      j++;
    } else if (c === '-') {
      body += '-';
    } else {
      body += escapeClassChar(c);
    }
  }
  return undefined;
}

function escapeClassChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

function escapeLiteral(c: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(c) ? `\\${c}` : c;
}

function nativeBody(pattern: string): string {
  let p = pattern;
  while (p.startsWith('./')) p = p.slice(2);
  if (p.endsWith('/')) throw new Error('it ends with "/", which names a directory; add "/**" to select its files');
  const segments = p.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new Error('it selects nothing');
  const ANY_SEGMENTS = '(?:(?!\\.)[^/]+/)*';
  let out = '';
  let afterGlobstar = false;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const sep = index > 0 && !afterGlobstar ? '/' : '';
    if (segment === '**') {
      if (afterGlobstar) return; // `**/**` is one `**`
      out += sep + ANY_SEGMENTS + (last ? '(?!\\.)[^/]+' : '');
      afterGlobstar = true;
      return;
    }
    if (segment === '.') throw new Error('it has a "." segment in the middle');
    out += sep + nativeSegment(segment);
    afterGlobstar = false;
  });
  return out;
}

function nativeSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\') {
      const next = segment[i + 1];
      if (next === undefined) throw new Error('a segment ends with a backslash');
      out += escapeLiteral(next);
      i++;
    } else if (c === '*') {
      out += '[^/]*';
      while (segment[i + 1] === '*') i++;
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const cls = readClass(segment, i, true);
      if (!cls) {
        out += '\\[';
      } else {
        out += cls.source;
        i = cls.next - 1;
      }
    } else {
      out += escapeLiteral(c);
    }
  }
  // A wildcard never matches a leading dot: dotfiles are only selected by a segment that starts with '.'.
  const literalDotStart = segment.startsWith('.') || segment.startsWith('\\.');
  return literalDotStart ? out : `(?!\\.)${out}`;
}
