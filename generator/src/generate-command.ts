import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { type Problem, ProblemList, UserError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { planUpdate } from '../../core/plan/index.js';
import { expandGlobs, parseNativeRules } from '../../core/rules/index.js';
import { suggest } from '../../core/suggest.js';
import { type Config, loadConfig } from './config.js';
import { appName, checkoutLayout, generate, type Layout, outLayout } from './generate.js';
import { nativeRules } from './rules.js';
import { type WriteReport, writeFiles } from './write.js';

export interface GenerateOptions {
  cwd: string;
  config: string;
  out?: string;
  upstreamDir?: string;
  downstreamDir?: string;
  force?: boolean;
  check?: boolean;
  /** Published actions reference to use when the config names none (tests pin it; default from package.json). */
  actionsRef?: string;
}

export interface GenerateResult {
  report: WriteReport;
  /** 0 ok; 1 drift under --check, or hand-edited files refused. */
  exitCode: 0 | 1;
  lines: string[];
}

function checkTargets(o: GenerateOptions): void {
  const problems = new ProblemList();
  if (o.out !== undefined && (o.upstreamDir !== undefined || o.downstreamDir !== undefined)) {
    problems.add({
      code: 'usage/out-and-dirs',
      input: 'out',
      message: `Option '--out' is '${o.out}' and '--upstream-dir'/'--downstream-dir' are given too; expected either --out <dir> or the checkout directories`,
    });
  }
  if (o.out === undefined && o.upstreamDir === undefined && o.downstreamDir === undefined) {
    problems.add({
      code: 'usage/no-target',
      input: 'out',
      message:
        "No target given; expected '--out <dir>', or '--upstream-dir <checkout>' and/or '--downstream-dir <checkout>'",
    });
  }
  problems.throwIfAny();
}

function layoutOf(o: GenerateOptions, config: Config): Layout {
  if (o.out !== undefined) return outLayout(o.out);
  return checkoutLayout(appName(config), o.upstreamDir, o.downstreamDir);
}

/**
 * Before anything is written: every file's folder can be made and written (the nearest existing folder above it is
 * a folder and writable). A problem names the option whose folder it is, so nothing is left half-written.
 */
async function checkWritable(paths: string[], o: GenerateOptions): Promise<void> {
  const options = (
    [
      ['out', o.out],
      ['upstream-dir', o.upstreamDir],
      ['downstream-dir', o.downstreamDir],
    ] as const
  ).filter((x): x is readonly ['out' | 'upstream-dir' | 'downstream-dir', string] => x[1] !== undefined);
  const problems = new ProblemList();
  const seen = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(o.cwd, path);
    const [option, value] =
      options.find(([, v]) => {
        const rel = relative(resolve(o.cwd, v), absolute);
        return rel && !rel.startsWith('..') && !isAbsolute(rel);
      }) ?? options[0]!;
    let dir = dirname(absolute);
    for (;;) {
      const info = await stat(dir).catch(() => undefined);
      if (info) break;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const info = await stat(dir).catch(() => undefined);
    if (info && !info.isDirectory()) {
      problems.add({
        code: 'usage/not-a-folder',
        input: option,
        message: `Option '--${option}' is ${JSON.stringify(value)}, but ${relative(o.cwd, dir) || dir} is a file, not a folder; expected a folder (or a path that does not exist yet)`,
      });
      continue;
    }
    try {
      await access(dir, constants.W_OK);
    } catch (error) {
      problems.add({
        code: 'usage/not-writable',
        input: option,
        message: `Option '--${option}' is ${JSON.stringify(value)}, but ${relative(o.cwd, dir) || dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); expected a folder you can write to`,
      });
    }
  }
  problems.throwIfAny();
}

/**
 * With a real GitOps checkout at hand, proves each environment's edit lands: its files exist and hold the YAML path,
 * regex or kustomize image. Uses the planner dry (reads only) with each environment's example tag.
 */
export async function checkDownstream(config: Config, root: string): Promise<Problem[]> {
  const rules = parseNativeRules(nativeRules(config, { forPlan: true }), `rules generated from ${config.source}`);
  const problems: Problem[] = [];
  for (const env of config.environments) {
    const rule = rules.find((r) => r.name === env.name);
    if (!rule) continue;
    try {
      const plan = await planUpdate({
        root,
        rules: [rule],
        variables: { docker_image_tag: env.exampleTag, image: config.upstream.image },
        logger: silentLogger,
      });
      if (env.edit.kind === 'kustomize-image') {
        problems.push(...(await checkKustomizeImage(env.name, env.edit.image, env.files, root)));
      }
      if (plan.changes.length + plan.unchanged.length === 0) {
        problems.push({
          code: 'config/no-files',
          input: 'downstream-dir',
          message: `environment '${env.name}': files ${JSON.stringify(env.files)} match nothing in ${root}; expected existing files relative to the GitOps repository root`,
        });
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      for (const p of error.problems) {
        problems.push({ ...p, message: `environment '${env.name}': ${p.message}`, input: p.input ?? 'downstream-dir' });
      }
    }
  }
  return problems;
}

/**
 * A kustomize-image edit on a name that no `images:` entry has would append a new entry: the run is green, the
 * deployment keeps its old tag. Every matched file must already name the image.
 */
async function checkKustomizeImage(env: string, image: string, files: string[], root: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const file of await expandGlobs(root, files, 'native')) {
    const doc = parse(await readFile(join(root, file), 'utf8')) as { images?: { name?: unknown }[] } | null;
    const names = (Array.isArray(doc?.images) ? doc.images : []).map((i) => String(i?.name ?? ''));
    if (names.includes(image)) continue;
    const guess = suggest(image, names);
    problems.push({
      code: 'config/kustomize-image-missing',
      input: 'downstream-dir',
      message: `environment '${env}': ${file} has no images: entry named '${image}' (${names.length ? `it has: ${names.join(', ')}` : 'it has none'}); the receiver would add a new entry and the deployment would keep its old tag. Expected 'kustomize-image' to name an existing entry${guess ? ` (did you mean '${guess}'?)` : ''}`,
    });
  }
  return problems;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export async function runGenerate(o: GenerateOptions): Promise<GenerateResult> {
  checkTargets(o);
  const config = await loadConfig(o.config, o.cwd, o.actionsRef ? { actionsRef: o.actionsRef } : {});
  const layout = layoutOf(o, config);
  if (o.downstreamDir !== undefined) {
    const root = resolve(o.cwd, o.downstreamDir);
    if (!(await isDirectory(root))) {
      throw new UserError({
        code: 'usage/downstream-dir',
        input: 'downstream-dir',
        message: `--downstream-dir is ${JSON.stringify(o.downstreamDir)}, which is not a folder (${root}); expected a checkout of ${config.downstream.repository}`,
      });
    }
    const problems = await checkDownstream(config, root);
    if (problems.length > 0) throw new UserError(problems);
  }
  const files = generate(config, layout);
  if (!o.check)
    await checkWritable(
      files.map((f) => f.path),
      o,
    );
  const report = await writeFiles(files, { cwd: o.cwd, force: o.force, check: o.check });
  const lines: string[] = [];
  if (o.check) {
    if (report.differing.length === 0) lines.push(`All ${files.length} files match ${config.source}.`);
    else {
      lines.push(`${report.differing.length} file(s) differ from what ${config.source} gives:`);
      for (const r of report.files.filter((f) => f.status !== 'unchanged')) {
        lines.push(
          `  ${r.path} (${r.status === 'created' ? 'missing' : r.status === 'updated' ? 'outdated' : r.status === 'other-image' ? `generated for ${r.existingImage}` : 'changed by hand'})`,
        );
      }
      lines.push("Run 'gitops-dispatch generate' without --check to update them.");
    }
    return { report, exitCode: report.differing.length === 0 ? 0 : 1, lines };
  }
  if (report.refused.length > 0) {
    lines.push(`Refused: ${report.refused.length} file(s) would be overwritten:`);
    for (const r of report.files.filter((f) => report.refused.includes(f.path))) {
      lines.push(
        r.status === 'other-image'
          ? `  ${r.path} routes another application's image (${r.existingImage}), not ${config.upstream.image}; ` +
              `give this application its own receiver with 'downstream: { workflow: gitops-receive-<app>.yml }'`
          : `  ${r.path} was changed by hand and differs from what ${config.source} gives`,
      );
    }
    lines.push('Nothing was written. Move the change into the config, or run again with --force to overwrite.');
    return { report, exitCode: 1, lines };
  }
  for (const r of report.files) {
    lines.push(`${(r.status === 'changed-by-hand' ? 'overwritten' : r.status).padEnd(11)} ${r.path}`);
  }
  return { report, exitCode: 0, lines };
}
