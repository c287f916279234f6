/**
 * The loopback Argo CD answers what Argo CD's OpenAPI description (argoproj/argo-cd assets/swagger.json) says
 * ApplicationService_Get answers: a v1alpha1Application, or a runtimeError. The description is read from
 * ../shared/reference/argocd-swagger.json beside the repository when it is there (it is not committed here);
 * otherwise this test is skipped. Objects are checked strictly: a field the schema does not name is an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgoCdClient } from '../../core/argocd/client.js';
import { followArgoCd } from '../../core/argocd/wait.js';
import { MemoryLogger } from '../../core/logger.js';
import { type FakeArgoCd, type Outcome, startArgoCd } from '../support/argocd-api.js';

const SWAGGER = resolve(import.meta.dirname, '../../../shared/reference/argocd-swagger.json');
const TOKEN = 'conformance-token';

type Schema = Record<string, unknown>;

/** Every object schema with properties gets additionalProperties: false (unless it says otherwise). */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' ? mapValues(v as Schema) : strict(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
function mapValues(props: Schema): Schema {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, strict(v)]));
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe.skipIf(!existsSync(SWAGGER))("loopback Argo CD vs Argo CD's swagger.json", () => {
  const swagger = existsSync(SWAGGER) ? (JSON.parse(readFileSync(SWAGGER, 'utf8')) as Schema) : {};
  const definitions = strict(swagger.definitions) as Schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  for (const f of ['int64', 'int32', 'uint64', 'uint32', 'byte', 'double', 'float', 'boolean']) ajv.addFormat(f, true);
  const check = (name: string) => ajv.compile({ $ref: `#/definitions/${name}`, definitions });

  it('names the operation the client calls, with the refresh and appNamespace parameters', () => {
    const paths = swagger.paths as Record<string, Record<string, Schema>>;
    const op = paths['/api/v1/applications/{name}']!.get!;
    expect(op.operationId).toBe('ApplicationService_Get');
    const params = (op.parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`);
    expect(params).toEqual(expect.arrayContaining(['path:name', 'query:refresh', 'query:appNamespace']));
    const responses = op.responses as Record<string, { schema: { $ref: string } }>;
    expect(responses['200']!.schema.$ref).toBe('#/definitions/v1alpha1Application');
    expect(responses.default!.schema.$ref).toBe('#/definitions/runtimeError');
  });

  it.each<Outcome>(['healthy', 'degraded', 'sync-failed'])(
    'every Application body of a %s rollout, and every error, conforms',
    async (outcome) => {
      const fake: FakeArgoCd = await startArgoCd({
        token: TOKEN,
        apps: [
          {
            name: 'web-dev',
            repoURL: 'https://github.com/org/gitops.git',
            path: 'environments/dev',
            revision: 'a'.repeat(40),
            outcome,
            message: 'Deployment "web" exceeded its progress deadline',
          },
        ],
        headOf: () => 'b'.repeat(40),
      });
      closers.push(() => fake.close());
      await followArgoCd({
        client: new ArgoCdClient({ server: fake.url, token: TOKEN }),
        server: fake.url,
        apps: [{ name: 'web-dev' }],
        revision: 'b'.repeat(40),
        wait: true,
        timeoutMs: 60_000,
        sleep: async () => {},
        now: () => 0,
        logger: new MemoryLogger(),
      }).catch(() => undefined);
      // Errors: no token, an app that does not exist, a failing refresh.
      await fetch(`${fake.url}/api/v1/applications/web-dev`);
      await fetch(`${fake.url}/api/v1/applications/nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
      fake.failRefreshes(1);
      await fetch(`${fake.url}/api/v1/applications/web-dev?refresh=normal`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });

      const app = check('v1alpha1Application');
      const error = check('runtimeError');
      // Strict enough to catch a misspelt or invented field.
      expect(app({ status: { healthStatus: 'Healthy' } })).toBe(false);
      expect(app({ status: { health: { status: 'Healthy', reason: 'x' } } })).toBe(false);
      expect(fake.requests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(fake.requests.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([401, 403, 500]);
      for (const r of fake.requests) {
        const validate = r.status === 200 ? app : error;
        expect(validate(r.body), `${r.status} ${r.path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    },
  );
});
