/**
 * Removes credentials from text that may reach logs, errors or outputs (git's stderr, remote URLs, headers).
 * Known secrets are replaced wherever they occur, also in their base64 `x-access-token:` form; the patterns catch
 * tokens nobody told us about.
 */
const MASK = '***';

const PATTERNS: RegExp[] = [
  // GitHub token formats: classic and fine-grained PATs, app installation, OAuth, user-to-server, refresh.
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  // Userinfo in URLs: https://user:secret@host or https://secret@host
  /(?<=[a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+(?=@)/gi,
];

// Header values: keep the scheme so the reader still sees what kind of credential was there.
const HEADER = /\b(authorization:?\s*(?:basic|bearer|token)\s+)[^\s'"]+/gi;

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // a 1-3 character "secret" would mask ordinary words
    for (const form of secretForms(secret)) out = out.split(form).join(MASK);
  }
  out = out.replace(HEADER, `$1${MASK}`);
  for (const pattern of PATTERNS) out = out.replace(pattern, MASK);
  return out;
}

function secretForms(secret: string): string[] {
  const basic = Buffer.from(`x-access-token:${secret}`, 'utf8').toString('base64');
  return [secret, basic, encodeURIComponent(secret)].filter((form, i, all) => all.indexOf(form) === i);
}
