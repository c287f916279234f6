/**
 * The little of Argo CD's REST API the receiver needs: `GET /api/v1/applications/{name}` (ApplicationService_Get),
 * with `?refresh=normal` the call behind `argocd app get --refresh`. Bearer token auth. Plain fetch: no client
 * library, and the token never leaves the Authorization header.
 */

/** `name` or `namespace/name` (apps in any namespace), as a rule's `argocd-app` gives it. */
export interface AppRef {
  name: string;
  namespace?: string;
}

export const APP_REF_PATTERN =
  /^(?:([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\/)?([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)$/;

export function parseAppRef(text: string): AppRef | undefined {
  const m = APP_REF_PATTERN.exec(text);
  if (!m) return undefined;
  return m[1] ? { namespace: m[1], name: m[2]! } : { name: m[2]! };
}

export function showAppRef(app: AppRef): string {
  return app.namespace ? `${app.namespace}/${app.name}` : app.name;
}

/** The fields of a v1alpha1Application this project reads; everything is optional, as in Argo CD's schema. */
export interface Application {
  metadata?: { name?: string; namespace?: string };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      syncResult?: { revision?: string; revisions?: string[] };
      operation?: { sync?: { revision?: string; revisions?: string[] } };
    };
    conditions?: { type?: string; message?: string }[];
  };
}

export class ArgoCdError extends Error {
  readonly status: number | undefined;
  /** Argo CD's own words (runtimeError `message` or `error`), when it sent any. */
  readonly argoMessage: string | undefined;
  constructor(message: string, status: number | undefined, argoMessage: string | undefined) {
    super(message);
    this.name = 'ArgoCdError';
    this.status = status;
    this.argoMessage = argoMessage;
  }
}

export type FetchFn = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface ArgoCdClientOptions {
  /** https://host[:port][/root-path], no trailing slash. */
  server: string;
  token: string;
  fetch?: FetchFn;
}

export class ArgoCdClient {
  private readonly fetchFn: FetchFn;
  constructor(private readonly options: ArgoCdClientOptions) {
    this.fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchFn);
  }

  /** The Application's page in Argo CD's UI. */
  appUrl(app: AppRef): string {
    return `${this.options.server}/applications/${app.namespace ? `${encodeURIComponent(app.namespace)}/` : ''}${encodeURIComponent(app.name)}`;
  }

  async getApplication(app: AppRef, refresh?: 'normal' | 'hard'): Promise<Application> {
    const query = new URLSearchParams();
    if (refresh) query.set('refresh', refresh);
    if (app.namespace) query.set('appNamespace', app.namespace);
    const qs = query.toString();
    const url = `${this.options.server}/api/v1/applications/${encodeURIComponent(app.name)}${qs ? `?${qs}` : ''}`;
    let response: { status: number; text(): Promise<string> };
    try {
      response = await this.fetchFn(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new ArgoCdError(`no answer from Argo CD (${why})`, undefined, undefined);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.status !== 200) {
      const b = body as { message?: unknown; error?: unknown } | undefined;
      const said = typeof b?.message === 'string' ? b.message : typeof b?.error === 'string' ? b.error : undefined;
      throw new ArgoCdError(`HTTP ${response.status}${said ? `: ${said}` : ''}`, response.status, said);
    }
    if (!body || typeof body !== 'object')
      throw new ArgoCdError('Argo CD answered 200 without an Application', 200, undefined);
    return body as Application;
  }
}

/** What to do about a failed Argo CD call, in words a user can act on. */
export function explainArgoCdFailure(error: unknown, app: AppRef, server: string, action: string): string {
  const head = `Could not ${action} Argo CD Application '${showAppRef(app)}' at ${server}`;
  if (!(error instanceof ArgoCdError)) return `${head}: ${error instanceof Error ? error.message : String(error)}`;
  const said = error.argoMessage ? ` Argo CD said: "${error.argoMessage}".` : '';
  switch (error.status) {
    case undefined:
      return `${head}: ${error.message}. The runner must reach the Argo CD server: use a self-hosted runner in its network, or expose the API at an endpoint GitHub's runners can reach; check input 'argocd-server'.`;
    case 401:
      return `${head}: HTTP 401, input 'argocd-token' was rejected (expired, revoked or not a token).${said} Create one with 'argocd account generate-token --account <account>' and store it as a secret.`;
    case 403:
      return `${head}: HTTP 403, permission denied.${said} Argo CD also answers this for an Application that does not exist. Check the rule's 'argocd-app', and give the token's account 'p, role:<role>, applications, get, <project>/${app.name}, allow' in argocd-rbac-cm.`;
    case 404:
      return `${head}: HTTP 404.${said} Check the rule's 'argocd-app' and input 'argocd-server' (the API is served under /api/v1).`;
    default:
      return `${head}: ${error.message}.`;
  }
}
