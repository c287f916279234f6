/**
 * Composite steps get no INPUT_* variables by themselves: each action.yml maps every input through `env:` as
 * INPUT_<NAME> (upper case, `-` -> `_`), and both bundles read them here.
 */
export function getInput(env: NodeJS.ProcessEnv, name: string, options: { trim?: boolean } = {}): string {
  const value = env[`INPUT_${name.replace(/[- ]/g, '_').toUpperCase()}`] ?? '';
  return options.trim === false ? value : value.trim();
}
