/** Shapes of the values that end up in deployment files; shared by sender and receiver. */
export const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const OCI_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isOciTag(value: string): boolean {
  return OCI_TAG.test(value);
}

export function isOciDigest(value: string): boolean {
  return OCI_DIGEST.test(value);
}

/** True when `value` has a newline or another control character (anything below U+0020, and U+007F). */
export function hasControlCharacter(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what is looked for
  return /[\u0000-\u001f\u007f]/.test(value);
}

/**
 * Characters no value written into a file may hold: C0 and C1 controls (U+0085 NEL among them), the Unicode line
 * and paragraph separators (a YAML 1.1 reader, as Helm and kustomize use, breaks lines at U+0085, U+2028 and
 * U+2029, so such a value could add keys), bidirectional controls (text that reads differently from what it is),
 * and U+FEFF (a byte order mark in the middle of a file).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what is looked for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** `JSON.stringify(value)` with the characters above that JSON leaves raw shown as `\uXXXX`, so a log shows them. */
export function quoteVisibly(value: string): string {
  return JSON.stringify(value).replace(
    new RegExp(UNSAFE.source, 'gu'),
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/** The first character of `value` that may not be written into a file, as `U+XXXX`, or undefined. */
export function unsafeCharacter(value: string): string | undefined {
  const m = UNSAFE.exec(value);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
