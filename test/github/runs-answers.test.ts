/** The run search reads GitHub's answers as untrusted: a field of the wrong type is skipped, never a crash. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { findDispatchedRun, toRunSummary } from '../../core/github/runs.js';
import { silentLogger } from '../../core/logger.js';

const ID = '1234567890123456';

function search(data: unknown) {
  let now = 0;
  return findDispatchedRun(async () => ({ data }), ID, 0, 'gitops-update', {
    owner: 'org',
    repo: 'gitops',
    deadline: 10_000,
    timeoutSeconds: 10,
    sleep: async (ms) => {
      now += ms;
    },
    now: () => now,
    logger: silentLogger,
  });
}

describe('reading workflow runs', () => {
  it.each([[{ workflow_runs: 'not a list' }], [{ workflow_runs: null }], ['<html>proxy error</html>'], [null]])(
    'an answer without a list of runs (%j) counts as no run yet',
    async (data) => {
      const error = await search(data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).problems[0]!.code).toBe('run/not-found');
    },
  );

  it('finds the run by its title among malformed entries', async () => {
    const run = { id: 7, html_url: 'u', display_title: `GitOps update [dispatch ${ID}]`, status: 'queued' };
    const found = await search({ workflow_runs: [null, 'x', { id: '8' }, run] });
    expect(found).toMatchObject({ id: 7, htmlUrl: 'u', status: 'queued', conclusion: null });
  });

  it('fills fields of the wrong type with neutral values', () => {
    expect(
      toRunSummary({ id: 1, html_url: 2, display_title: [], status: null, conclusion: 5, created_at: {} }),
    ).toEqual({ id: 1, htmlUrl: '', displayTitle: '', status: 'unknown', conclusion: null, createdAt: '' });
  });
});
