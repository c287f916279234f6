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
