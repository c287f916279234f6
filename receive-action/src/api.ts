import { UserError } from '../../core/errors.js';
import { explainApiFailure } from '../../core/github/explain-api.js';
import { fetchTransport, GitHubGraphql } from '../../core/github/graphql.js';
import { type ApiStart, landThroughApi, openHead } from '../../core/land/api/land.js';
import type { BranchHead } from '../../core/land/api/repository.js';
import type { ApiFileSource } from '../../core/land/api/source.js';
import type { LandResult } from '../../core/land/index.js';
import { type DispatchSource, type MessageTemplate, templateTrailers } from '../../core/land/message.js';
import type { Logger } from '../../core/logger.js';
import type { Plan } from '../../core/plan/model.js';
import { planUpdate } from '../../core/plan/planner.js';
import type { FileSource } from '../../core/plan/source.js';
import type { Rule, Variables } from '../../core/rules/model.js';
import type { ReceiveInputs } from './inputs.js';
import { pullRequestLanding } from './land.js';

export interface Remote {
  api: GitHubGraphql;
  repository: string;
  /** The branch landed on: the workflow's branch (GITHUB_REF), else the default branch. */
  branch: string | undefined;
  /** Reads one file of the head (for `rules-file`). */
  readFile(path: string): Promise<string>;
  /** Plans on the head read first; later calls plan on whatever source they are given. */
  plan(rules: Rule[], variables: Variables, onlyNewer?: boolean): Promise<Plan>;
  /** The head, source and plan of the first `plan` call. */
  start?: ApiStart;
}

function branchOf(env: NodeJS.ProcessEnv): string | undefined {
  const ref = env.GITHUB_REF ?? '';
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export async function openRemote(o: {
  inputs: ReceiveInputs;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): Promise<Remote> {
  const { inputs, logger } = o;
  const repository = o.env.GITHUB_REPOSITORY ?? '';
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new UserError({
      code: 'api/repository',
      message: `GITHUB_REPOSITORY is ${JSON.stringify(repository)}; expected owner/repo (the runner sets it)`,
    });
  }
  if (inputs.checkout) {
    logger.info("commit-method is api: the checkout is not used; set 'checkout: false' to skip cloning.");
  }
  const api = new GitHubGraphql({
    transport: fetchTransport({ url: inputs.graphqlUrl, token: inputs.token }),
    logger,
    sleep: o.sleep,
  });
  const branch = branchOf(o.env);
  const explain = (error: unknown): never => {
    if (error instanceof UserError) throw error;
    throw new Error(
      explainApiFailure(error, { repository, action: "read the branch through GitHub's API", pullRequest: false }),
      {
        cause: error,
      },
    );
  };
  let opened: { head: BranchHead; source: ApiFileSource } | undefined;
  const first = async (): Promise<{ head: BranchHead; source: ApiFileSource }> => {
    if (!opened) {
      try {
        opened = await openHead(api, repository, branch);
      } catch (error) {
        explain(error);
      }
    }
    return opened!;
  };
  const remote: Remote = {
    api,
    repository,
    branch,
    async readFile(path) {
      const { source } = await first();
      if (/[*?[\]{}\\]/.test(path))
        throw new Error(`rules-file ${JSON.stringify(path)}: expected a plain path, without glob characters`);
      try {
        await source.select([path], 'native');
      } catch (error) {
        explain(error);
      }
      const resolved = await source.resolve(path);
      const read = 'key' in resolved ? await source.read(resolved.key) : resolved;
      if ('problem' in read) throw new Error(read.problem.message);
      return read.text;
    },
    async plan(rules, variables, onlyNewer) {
      const { head, source } = await first();
      let plan: Plan;
      try {
        plan = await planUpdate({ root: '.', source, rules, variables, logger, onlyNewer });
      } catch (error) {
        explain(error);
        throw error;
      }
      remote.start = { head, source, plan };
      return plan;
    },
  };
  return remote;
}

export async function landViaApi(o: {
  remote: Remote;
  inputs: ReceiveInputs;
  rules: Rule[];
  variables: Variables;
  commitMessage: MessageTemplate;
  /** Validated provenance of the dispatch (readSource). */
  source: DispatchSource;
  trailers: Record<string, string>;
  onlyNewer: boolean | undefined;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): Promise<LandResult> {
  const { remote, inputs, variables, logger } = o;
  const start = remote.start;
  if (!start) throw new Error('landViaApi: plan first');
  const pullRequest = pullRequestLanding({
    plan: start.plan,
    inputs,
    variables,
    source: o.source,
    repository: remote.repository,
    apiUrl: inputs.apiUrl,
    logger,
    sleep: o.sleep,
  });
  return landThroughApi({
    api: remote.api,
    repository: remote.repository,
    branch: start.head.branch,
    logger,
    plan: (source: FileSource) =>
      planUpdate({ root: '.', source, rules: o.rules, variables, logger, onlyNewer: o.onlyNewer }),
    start,
    commitMessage: () => o.commitMessage(variables),
    trailers: o.trailers,
    messageTrailers: templateTrailers(inputs.commitMessage),
    maxAttempts: inputs.maxAttempts,
    sleep: o.sleep,
    pullRequest,
  });
}
