/**
 * The controller's HTTP API as the CLI calls it (docs/http-api.md), with every way a call can go
 * wrong turned into an error that names what to do: unreachable or token refused (exit 3),
 * request refused with the controller's own code and message (exit 2 or 1).
 */
import type { ListedDisc, Run, RunStatus } from '@cedar-store/ports';
import type { AnswerKind } from './answer-checks.js';
import { checkAnswer, readApiError } from './answer-checks.js';
import { ApiError, TokenRefusedError, UnreachableError } from './exit-codes.js';
import type { HttpAnswer } from './http-request.js';
import { httpRequest } from './http-request.js';
import type { ClientSettings } from './settings.js';

export type RunRequest = {
  action: Run['action'];
  device?: string;
  full?: boolean;
  today?: string;
  days?: string[];
  dryRun?: boolean;
  /** restore: the day, the globs of its files to restore, the target name, --force. */
  day?: string;
  paths?: string[];
  target?: string;
  force?: boolean;
};

export type RunListFilter = { status?: RunStatus; device?: string; limit?: number };

/**
 * A device as GET /devices lists it. Busy and queued state come either as `busy` and the
 * queued run ids, or as `activity` and a count; the CLI reads both.
 */
export type DeviceRow = {
  ref: string;
  backend?: string;
  mediaType?: string;
  connected: boolean;
  busy?: boolean;
  activity?: string;
  activeRun?: string;
  queuedRuns?: string[];
  queued?: number;
};

export type AgentRow = {
  id: string;
  url?: string;
  state: string;
  version?: string;
  lastError?: string;
  since?: string;
};

export type DevicesAnswer = { agents: AgentRow[]; devices: DeviceRow[] };

export type CancelAnswer = { outcome?: string; run?: Run };

type SendOptions = {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Streams set their own end; plain calls get the request timeout. */
  timeoutMs?: number | null;
  signal?: AbortSignal;
  /** Hands back any answer but a refused token: the event stream falls back to polling on the others. */
  anyStatus?: boolean;
};

export class ApiClient {
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly token: string,
    private readonly settings: ClientSettings,
  ) {
    // A trailing slash makes relative paths resolve under a base path (a controller behind a proxy at /cedar/).
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** The URL a user typed, for messages. */
  get displayUrl(): string {
    return this.base.href.replace(/\/$/, '');
  }

  async submitRun(request: RunRequest): Promise<Run> {
    return (await parseAnswer('run', await this.json('POST', 'api/v1/runs', { body: request }), this)) as Run;
  }

  async getRun(id: string): Promise<Run> {
    return (await parseAnswer('run', await this.json('GET', `api/v1/runs/${encodeURIComponent(id)}`), this)) as Run;
  }

  /** The runs, and the answer as the controller sent it (what `--json` prints). */
  async listRuns(filter: RunListFilter): Promise<{ runs: Run[]; raw: unknown }> {
    const raw = await this.json('GET', 'api/v1/runs', { query: filter });
    const answer = (await parseAnswer('runList', raw, this)) as Run[] | { runs: Run[] };
    return { runs: Array.isArray(answer) ? answer : answer.runs, raw };
  }

  async cancelRun(id: string): Promise<{ answer: CancelAnswer; raw: unknown }> {
    const raw = await this.json('POST', `api/v1/runs/${encodeURIComponent(id)}/cancel`);
    const answer = (await parseAnswer('cancel', raw, this)) as Run | CancelAnswer;
    if ('id' in answer && typeof answer.id === 'string') return { answer: { run: answer }, raw };
    return { answer: answer as CancelAnswer, raw };
  }

  async devices(): Promise<{ answer: DevicesAnswer; raw: unknown }> {
    const raw = await this.json('GET', 'api/v1/devices');
    return { answer: (await parseAnswer('devices', raw, this)) as DevicesAnswer, raw };
  }

  async media(): Promise<{ discs: ListedDisc[]; raw: unknown }> {
    const raw = await this.json('GET', 'api/v1/media');
    const answer = (await parseAnswer('media', raw, this)) as ListedDisc[] | { discs: ListedDisc[] };
    return { discs: Array.isArray(answer) ? answer : answer.discs, raw };
  }

  /** Any other GET route, answered as JSON (the manifest and find commands check what they read). */
  async getJson(path: string, query: Record<string, string | number | undefined> = {}): Promise<unknown> {
    return this.json('GET', path, { query });
  }

  /**
   * Opens a run's event stream. The caller checks the status, reads the body and aborts
   * `signal` to close it; `lastEventId` resumes after the last event seen, as an
   * EventSource would on reconnect. Only a refused token and an unreachable controller throw.
   */
  async openEvents(runId: string, lastEventId: string | undefined, signal: AbortSignal): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    return this.send('GET', `api/v1/runs/${encodeURIComponent(runId)}/events`, {
      headers,
      signal,
      timeoutMs: null,
      anyStatus: true,
    });
  }

  private async json(method: string, path: string, options: SendOptions = {}): Promise<unknown> {
    const response = await this.send(method, path, options);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection broke, or the time ran out, halfway through the answer.
      throw this.unreachable(error, this.timeoutOf(options));
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw notAController(this, `${method} /${path} answered ${response.status} with something other than JSON`);
    }
  }

  /** Sends one request; resolves only with a 2xx response. */
  private async send(method: string, path: string, options: SendOptions): Promise<HttpAnswer> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.token}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = this.timeoutOf(options);
    const signals = [options.signal, timeoutMs === null ? undefined : AbortSignal.timeout(timeoutMs)].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    let response: HttpAnswer;
    try {
      response = await httpRequest(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      // The caller's own abort (closing a stream) is not the controller's fault: let it through.
      if (options.signal?.aborted) throw error;
      throw this.unreachable(error, timeoutMs);
    }
    if (response.ok) return response;
    if (options.anyStatus && response.status !== 401 && response.status !== 403) return response;
    throw await this.refusal(response);
  }

  private timeoutOf(options: SendOptions): number | null {
    return options.timeoutMs === undefined ? this.settings.requestTimeoutMs : options.timeoutMs;
  }

  private unreachable(error: unknown, timeoutMs: number | null): UnreachableError {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : describeNetworkError(error);
    return new UnreachableError(
      `cannot reach the controller at ${this.displayUrl} (${reason}). Is it running? ` +
        'Start a local one with `cedar-store local`, check the controller service on its host, ' +
        'or point --url / CEDAR_STORE_URL at it.',
    );
  }

  private async refusal(response: HttpAnswer): Promise<Error> {
    const text = await response.text().catch(() => '');
    let parsed: { code: string; message: string } | undefined;
    try {
      parsed = readApiError(JSON.parse(text));
    } catch {
      // Not JSON: described below from the status alone.
    }
    if (response.status === 401 || response.status === 403) {
      const detail = parsed ? ` (${parsed.code}: ${parsed.message})` : '';
      return new TokenRefusedError(
        `the controller at ${this.displayUrl} refused the token${detail}: check --token-file, --token, CEDAR_STORE_TOKEN_FILE or CEDAR_STORE_TOKEN ` +
          '(`cedar-store local` prints the token of a local stack).',
      );
    }
    if (parsed) return new ApiError(parsed.code, parsed.message, response.status);
    if (response.status === 404) {
      return notAController(this, `${response.url} was not found (404): is --url the controller's address?`);
    }
    return new ApiError(
      `HTTP_${response.status}`,
      `${response.statusText || 'error'} from ${this.displayUrl}`,
      response.status,
    );
  }
}

/**
 * Only what the CLI cannot do without is checked: a newer controller may add fields, and a
 * client that refused them would break every cron job at the next server upgrade. zod loads
 * only for an answer the plain check refuses, to word the error.
 */
async function parseAnswer(kind: AnswerKind, value: unknown, client: ApiClient): Promise<unknown> {
  const checked = checkAnswer(kind, value);
  if (checked !== undefined) return checked;
  const { parseWithShape } = await import('./answer-shapes.js');
  const parsed = parseWithShape(kind, value);
  if ('problem' in parsed) throw notAController(client, `unexpected answer: ${parsed.problem}`);
  return parsed.data;
}

/** Something answered, but not a cedar-store controller: most often a wrong --url. */
function notAController(client: ApiClient, detail: string): UnreachableError {
  return new UnreachableError(
    `the server at ${client.displayUrl} does not answer like a cedar-store controller (${detail}); check --url or CEDAR_STORE_URL.`,
  );
}

/** The socket error (ECONNREFUSED, ENOTFOUND…) is the part a user can act on; fetch (which follows redirects) hides it in `cause`. */
export function describeNetworkError(error: unknown): string {
  let current: unknown = error;
  let message = 'unknown network error';
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    // Happy eyeballs tries every address of a name and reports them together.
    if (current instanceof AggregateError && !current.message && current.errors.length > 0) {
      return current.errors
        .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
        .join('; ');
    }
    message = current.message || message;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return message;
}
