/** The one Node.js version rule of both actions (checked by the bundle itself, see action-runtime/startup.ts). */
export const MIN_NODE_MAJOR = 20;

/** The problem with running on Node.js `version` (e.g. '18.19.1'), or undefined when it is new enough. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `'node' on PATH is version ${version}; this action needs Node.js ${MIN_NODE_MAJOR} or newer: ` +
    `add actions/setup-node (node-version: ${MIN_NODE_MAJOR}) before it.`
  );
}
