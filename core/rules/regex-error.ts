/** JavaScript's own complaint about `source` as a regular expression, or undefined when it compiles. */
export function regexError(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
