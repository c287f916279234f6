// npm pack/publish lifecycle: `prepack` records the commit the package is made from in generator/commit.json, so the
// installed CLI can pin its own actions to that commit; `postpack` (with --remove) deletes the file again.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'generator', 'commit.json');
if (process.argv.includes('--remove')) {
  rmSync(file, { force: true });
} else {
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    console.warn('record-commit: not a git checkout; the packed CLI will reference its actions by version tag');
  }
  if (commit) {
    // Written beside and renamed into place: a reader (the CLI run from this checkout) never sees half a file.
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, `${JSON.stringify({ commit }, null, 2)}\n`);
    renameSync(staging, file);
  }
}
