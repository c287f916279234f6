/**
 * What may be quoted from a server's answer in a message, log line or annotation: an error page can be megabytes of
 * HTML, and one `::error` line must stay readable. Whitespace runs collapse to one space (an HTML page keeps its
 * words, not its layout), and anything past `maxChars` is cut with a note saying how big the original was.
 */
export const MAX_QUOTED_CHARS = 300;

export function excerpt(text: string, maxChars: number = MAX_QUOTED_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // By code point, so a surrogate pair is never cut in half.
  const head = Array.from(flat.slice(0, maxChars * 2 + 2));
  if (head.length <= maxChars && flat.length <= maxChars * 2 + 2) return flat;
  return `${head.slice(0, maxChars).join('').trimEnd()}… (${Buffer.byteLength(text, 'utf8')} bytes, cut)`;
}
