import type { Readable, Writable } from 'node:stream';
import yargs, { type Argv } from 'yargs';
import type { Logger } from '../../core/logger.js';
import { runGenerate } from './generate-command.js';
import { runInit } from './init-command.js';
import { packageInfo } from './paths.js';
import { runPlan } from './plan-command.js';

/** Everything a command touches of the outside world; bin.ts fills it from `process`, tests with their own. */
export interface CliContext {
  cwd: string;
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
  stdin: Readable;
  /** stdin and stdout are a terminal: init asks questions. */
  interactive: boolean;
  /** stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
  logger: Logger;
  /** Set by a command: 1 for drift/refused overwrite. */
  exitCode: number;
  /** Fixed actions reference for generate (tests); default from package.json. */
  actionsRef?: string;
}

export const EXIT_CODES_EPILOGUE = [
  'Exit codes:',
  '  0  done (generate: files written or already up to date; --check: no drift)',
  '  1  generate --check found files that differ, or generate refused to overwrite files changed by hand',
  '  2  usage or config error (every problem is listed, with file:line:column for config problems)',
  '  3  unexpected internal error (a bug: please report it)',
].join('\n');

/** The yargs parser; only maps arguments to commands. Tests call `createParser(ctx).parseAsync('generate ...')`. */
export function createParser(ctx: CliContext): Argv {
  const out = (lines: string[] | string) =>
    ctx.stdout.write(`${Array.isArray(lines) ? lines.join('\n') : lines.replace(/\n$/, '')}\n`);
  return yargs()
    .scriptName('gitops-dispatch')
    .version(packageInfo().version)
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .epilogue(EXIT_CODES_EPILOGUE)
    .command(
      'generate',
      'Write the upstream workflow, the downstream workflow and SETUP.md from a config',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'config file (gitops-dispatch.yml)' })
          .option('out', {
            type: 'string',
            describe: 'write <out>/upstream/..., <out>/downstream/... and <out>/SETUP.md',
          })
          .option('upstream-dir', {
            type: 'string',
            describe:
              'a checkout of the upstream repository: write its workflow there (and .github/gitops-dispatch/SETUP.md)',
          })
          .option('downstream-dir', {
            type: 'string',
            describe: "a checkout of the GitOps repository: check each environment's files, write its workflow there",
          })
          .option('force', { type: 'boolean', default: false, describe: 'overwrite files changed by hand' })
          .option('check', {
            type: 'boolean',
            default: false,
            describe: 'write nothing; exit 1 listing the files that differ from what the config gives',
          })
          .epilogue(EXIT_CODES_EPILOGUE),
      async (argv) => {
        const result = await runGenerate({
          cwd: ctx.cwd,
          config: argv.config,
          out: argv.out,
          upstreamDir: argv['upstream-dir'],
          downstreamDir: argv['downstream-dir'],
          force: argv.force,
          check: argv.check,
          ...(ctx.actionsRef ? { actionsRef: ctx.actionsRef } : {}),
        });
        out(result.lines);
        ctx.exitCode = result.exitCode;
      },
    )
    .command(
      'init',
      'Write a starter config (asks in a terminal; takes flags otherwise)',
      (y) =>
        y
          .option('out', { type: 'string', default: 'gitops-dispatch.yml', describe: 'config file to write' })
          .option('upstream', { type: 'string', describe: 'application repository, owner/repo' })
          .option('image', { type: 'string', describe: 'image name without tag; default ghcr.io/<upstream>' })
          .option('downstream', { type: 'string', describe: 'GitOps repository, owner/repo' })
          .option('env', {
            type: 'string',
            array: true,
            describe: "environment and tag pattern, e.g. 'dev=.*-dev' (repeat)",
          })
          .option('files', {
            type: 'string',
            array: true,
            describe: 'environment files, e.g. dev=environments/dev/values.yaml',
          })
          .option('repo', {
            type: 'string',
            describe: 'GitOps checkout: propose environments from environments/*/values.yaml',
          })
          .option('on', {
            type: 'string',
            array: true,
            describe: "what an environment is built from, e.g. 'dev=branch:main', 'prod=tag:v*' (repeat)",
          })
          .option('from', {
            type: 'string',
            array: true,
            describe: 'what its image tag is made of: name=sha|version|ref (repeat)',
          })
          .option('edit', {
            type: 'string',
            array: true,
            describe:
              "the edit: 'name=yaml-path:image.tag', 'name=regex:<regex>', 'name=kustomize-image:<image>' (repeat)",
          })
          .option('pull-request', {
            type: 'string',
            array: true,
            describe: 'environment that lands through a pull request (repeat)',
          })
          .option('token', { type: 'string', choices: ['pat', 'app'], describe: 'personal access token or GitHub App' })
          .option('schema', { type: 'string', describe: 'path or URL for the $schema comment' })
          .option('force', { type: 'boolean', default: false, describe: 'replace an existing config file' })
          .option('interactive', {
            type: 'boolean',
            describe: 'ask questions; default: when stdin and stdout are a terminal',
          })
          .epilogue(EXIT_CODES_EPILOGUE),
      async (argv) => {
        const result = await runInit({
          cwd: ctx.cwd,
          out: argv.out,
          force: argv.force,
          upstream: argv.upstream,
          image: argv.image,
          downstream: argv.downstream,
          env: argv.env,
          files: argv.files,
          repo: argv.repo,
          on: argv.on,
          from: argv.from,
          edit: argv.edit,
          pullRequest: argv['pull-request'],
          token: argv.token,
          schema: argv.schema,
          interactive: argv.interactive ?? ctx.interactive,
          input: ctx.stdin,
          output: ctx.stdout as Writable,
        });
        out(`Wrote ${result.path}`);
      },
    )
    .command(
      'plan',
      'Show the diff the receiver would make for a tag; changes nothing',
      (y) =>
        y
          .option('config', { type: 'string', demandOption: true, describe: 'config file' })
          .option('repo', { type: 'string', demandOption: true, describe: 'checkout of the GitOps repository' })
          .option('tag', { type: 'string', demandOption: true, describe: 'image tag, e.g. 4f2c1e0-dev' })
          .option('digest', { type: 'string', describe: 'image digest, sha256:...' })
          .option('var', { type: 'string', array: true, describe: 'extra variable name=value (repeat)' })
          .epilogue(EXIT_CODES_EPILOGUE),
      async (argv) => {
        const result = await runPlan({
          cwd: ctx.cwd,
          config: argv.config,
          repo: argv.repo,
          tag: argv.tag,
          digest: argv.digest,
          vars: argv.var,
          color: ctx.color,
          logger: ctx.logger,
        });
        out(result.text);
      },
    )
    .demandCommand(1, 'Expected a command: generate, init or plan')
    .help()
    .alias('h', 'help')
    .alias('v', 'version');
}

/** A mistake in the command line (unknown option, missing value); exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
