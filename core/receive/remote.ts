/** `commit-method: api`: the branch's files are read, planned on and committed through GitHub's GraphQL API. */
import { UserError } from '../errors.js';
import { explainApiFailure } from '../github/explain-api.js';
import { fetchTransport, GitHubGraphql } from '../github/graphql.js';
import { type ApiStart, landThroughApi, openHead } from '../land/api/land.js';
import type { BranchHead } from '../land/api/repository.js';
import type { ApiFileSource } from '../land/api/source.js';
import { type MessageTemplate, templateTrailers } from '../land/message.js';
import type { LandResult, PullRequestLanding } from '../land/model.js';
import type { Logger } from '../logger.js';
import type { Plan } from '../plan/model.js';
import { planUpdate } from '../plan/planner.js';
import type { FileSource } from '../plan/source.js';
import type { Rule, Variables } from '../rules/model.js';
import type { ReceiveRequest } from './model.js';

export interface Remote {
  api: GitHubGraphql;
  repository: string;
  /** The branch landed on: the workflow's branch, else the default branch. */
  branch: string | undefined;
  /** Reads one file of the head (for `rules-file`). */
  readFile(path: string): Promise<string>;
  /** Plans on the head read first; later calls plan on whatever source they are given. */
  plan(rules: Rule[], variables: Variables, onlyNewer?: boolean): Promise<Plan>;
  /** The head, source and plan of the first `plan` call. */
  start?: ApiStart;
}

export async function openRemote(o: {
  request: ReceiveRequest;
  repository: string;
  branch: string | undefined;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): Promise<Remote> {
  const { request, repository, branch, logger } = o;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new UserError({
      code: 'api/repository',
      message: `GITHUB_REPOSITORY is ${JSON.stringify(repository)}; expected owner/repo (the runner sets it)`,
    });
  }
  if (request.checkout) {
    logger.info("commit-method is api: the checkout is not used; set 'checkout: false' to skip cloning.");
  }
  const api = new GitHubGraphql({
    transport: fetchTransport({ url: request.graphqlUrl, token: request.token }),
    logger,
    sleep: o.sleep,
  });
  const explain = (error: unknown): never => {
    if (error instanceof UserError) throw error;
    throw new Error(
      explainApiFailure(error, { repository, action: "read the branch through GitHub's API", pullRequest: false }),
      { cause: error },
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
      if (/[*?[\]{}\\]/.test(path)) {
        throw new Error(`rules-file ${JSON.stringify(path)}: expected a plain path, without glob characters`);
      }
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

/** Commits the first plan's change on the branch through the API, re-planning on the new head when it moved. */
export async function landViaApi(o: {
  remote: Remote;
  request: ReceiveRequest;
  rules: Rule[];
  variables: Variables;
  commitMessage: MessageTemplate;
  trailers: Record<string, string>;
  pullRequest: PullRequestLanding | undefined;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
}): Promise<LandResult> {
  const { remote, request, variables, logger } = o;
  const start = remote.start;
  if (!start) throw new Error('landViaApi: plan first');
  return landThroughApi({
    api: remote.api,
    repository: remote.repository,
    branch: start.head.branch,
    logger,
    plan: (source: FileSource) =>
      planUpdate({ root: '.', source, rules: o.rules, variables, logger, onlyNewer: request.onlyNewer }),
    start,
    commitMessage: () => o.commitMessage(variables),
    trailers: o.trailers,
    messageTrailers: templateTrailers(request.commitMessage),
    maxAttempts: request.maxAttempts,
    sleep: o.sleep,
    pullRequest: o.pullRequest,
  });
}
