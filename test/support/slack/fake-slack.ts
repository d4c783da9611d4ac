/**
 * A local fake of Slack's Web API for end-to-end tests: a real HTTP server on
 * 127.0.0.1 that a real `WebClient` (or Bolt's `clientOptions.slackApiUrl`)
 * talks to. It records every call in arrival order, answers with responses
 * shaped like Slack's, and can inject rate limits, API errors and slow
 * answers (a stall the client may give up on). It also
 * serves `response_url`s (`POST /respond/<id>`), recorded as method
 * `response_url`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { isRecord, stringLeaves } from '../json-leaves';
import { hungUpWithin } from '../held-request';

/** One request the fake received. `body` is decoded: form fields holding JSON (blocks, view…) are objects. */
export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  /** From `Authorization: Bearer …`, else the body's `token` field. */
  token?: string;
  /** `Date.now()` on arrival. */
  at: number;
  /** Answered with HTTP 429 by `rateLimitNext`. */
  rateLimited?: true;
  /** Answered `{ ok: false, error }` by `failNext`. */
  failedWith?: string;
  /** Held by `stallNext`, and the client hung up first: the fake did nothing with it (nothing was posted). */
  timedOut?: true;
  /** Held by `stallNext`, and the client waited: answered late. */
  stalled?: true;
  /** For `response_url` calls: the id in `/respond/<id>`. */
  responseId?: string;
  /** What the fake answered (for a posted message, its `ts`). */
  response?: Record<string, unknown>;
}

export type CallPredicate = (call: RecordedCall) => boolean;

export interface WaitForOptions {
  /** How many matching calls to wait for (default 1). */
  count?: number;
  /** Default 5000. */
  timeoutMs?: number;
}

export interface FakeSlackOptions {
  /** `team_id` that `auth.test` reports (default `T0MUTUAL`). */
  teamId?: string;
  /** `url` that `apps.connections.open` returns (Socket Mode). */
  socketModeUrl?: string;
  /** Extra fields for `users.info` answers, by user id. */
  users?: Record<string, Record<string, unknown>>;
}

export interface FakeSlack {
  /** Base URL for `WebClient`'s `slackApiUrl`, ending in `/api/`. */
  readonly url: string;
  /** Every call in arrival order, including rate-limited and failed ones. Cleared in place by `reset()`. */
  readonly calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /**
   * Resolves with all matching calls once at least `count` exist (a method name matches every call to it,
   * rate-limited and failed ones included). Rejects on timeout listing the methods recorded so far.
   */
  waitFor(match: string | CallPredicate, options?: WaitForOptions): Promise<RecordedCall[]>;
  /** The next `times` calls to `method` (those matching `match`, if given) get HTTP 429 with `Retry-After`. */
  rateLimitNext(method: string, options?: { times?: number; retryAfterSeconds?: number; match?: CallPredicate }): void;
  /** The next `times` calls to `method` (those matching `match`, if given) get HTTP 200 `{ ok: false, error }`. */
  failNext(method: string, options: { times?: number; error: string; match?: CallPredicate }): void;
  /**
   * The next `times` calls to `method` (those matching `match`, if given) are held `ms` before the fake acts
   * on them: a slow Slack. A client that gives up first (a request timeout) finds nothing done: the call is
   * recorded `timedOut`, not posted.
   */
  stallNext(method: string, options: { times?: number; ms: number; match?: CallPredicate }): void;
  /**
   * Every `chat.postMessage` to `channel` fails until `clearChannel`: with Slack's `{ ok: false, error }`,
   * or with an HTTP status (a 500 is a server error WebClient does not retry itself).
   */
  failChannel(channel: string, answer: { error: string } | { status: number }): void;
  clearChannel(channel: string): void;
  /** A `response_url` served by this fake; posts to it are recorded as method `response_url`. */
  responseUrl(id: string): string;
  /** Every string value in every recorded body (deep): a superset of what a Slack user could see. */
  texts(): string[];
  /** Clears calls and injected faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Form fields that WebClient JSON-encodes because their values are objects or arrays. */
const JSON_FORM_FIELDS = new Set([
  'attachments',
  'blocks',
  'metadata',
  'options',
  'option_groups',
  'unfurls',
  'user_auth_blocks',
  'view',
]);

interface Fault {
  times: number;
  match?: CallPredicate;
  answer: { kind: 'rateLimit'; retryAfterSeconds: number } | { kind: 'fail'; error: string };
}

interface Stall {
  times: number;
  ms: number;
  match?: CallPredicate;
}

interface Waiter {
  predicate: CallPredicate;
  count: number;
  resolve: (calls: RecordedCall[]) => void;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? 'T0MUTUAL';
  const calls: RecordedCall[] = [];
  const faults = new Map<string, Fault[]>();
  const stalls = new Map<string, Stall[]>();
  const channelFaults = new Map<string, { error: string } | { status: number }>();
  const waiters = new Set<Waiter>();
  const responder = new SlackResponder(teamId, options);

  const record = (call: RecordedCall): void => {
    calls.push(call);
    for (const waiter of waiters) {
      const matching = calls.filter(waiter.predicate);
      if (matching.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve(matching);
      }
    }
  };

  const takeFault = (call: RecordedCall): Fault['answer'] | undefined => {
    const queue = faults.get(call.method);
    const index = queue?.findIndex((fault) => fault.match === undefined || fault.match(call)) ?? -1;
    const fault = queue?.[index];
    if (!queue || !fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) queue.splice(index, 1);
    return fault.answer;
  };

  const takeStall = (call: RecordedCall): Stall | undefined => {
    const queue = stalls.get(call.method);
    const index = queue?.findIndex((stall) => stall.match === undefined || stall.match(call)) ?? -1;
    const stall = queue?.[index];
    if (!queue || !stall) return undefined;
    stall.times -= 1;
    if (stall.times <= 0) queue.splice(index, 1);
    return stall;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const raw = await readBody(req);
    const parsed = parseBody(raw, req.headers['content-type']);
    const at = Date.now();
    const respondMatch = /^\/respond\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && respondMatch?.[1]) {
      record({ method: 'response_url', body: parsed ?? {}, at, responseId: decodeURIComponent(respondMatch[1]) });
      return sendJson(res, 200, { ok: true });
    }
    const apiMatch = /^\/api\/([\w.]+)$/.exec(path);
    if (!apiMatch?.[1]) return sendJson(res, 404, { ok: false, error: 'unknown_path' });
    const method = apiMatch[1];
    const body = parsed ?? {};
    const token = bearerToken(req.headers.authorization) ?? stringOrUndefined(body.token);
    const call: RecordedCall = { method, body, at, ...(token === undefined ? {} : { token }) };
    if (parsed === undefined) {
      record({ ...call, failedWith: 'invalid_json' });
      return sendJson(res, 200, { ok: false, error: 'invalid_json' });
    }
    const stall = takeStall(call);
    if (stall && (await hungUpWithin(res, stall.ms))) return record({ ...call, timedOut: true });
    if (stall) call.stalled = true;
    const broken = method === 'chat.postMessage' ? channelFaults.get(String(body.channel)) : undefined;
    if (broken && 'status' in broken) {
      record({ ...call, failedWith: `HTTP ${broken.status}` });
      return sendJson(res, broken.status, { ok: false, error: 'fake_server_error' });
    }
    if (broken) {
      record({ ...call, failedWith: broken.error });
      return sendJson(res, 200, { ok: false, error: broken.error });
    }
    const fault = takeFault(call);
    if (fault?.kind === 'rateLimit') {
      record({ ...call, rateLimited: true });
      res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return sendJson(res, 429, { ok: false, error: 'ratelimited' });
    }
    if (fault?.kind === 'fail') {
      record({ ...call, failedWith: fault.error });
      return sendJson(res, 200, { ok: false, error: fault.error });
    }
    const response = responder.answer(method, body);
    record({ ...call, response });
    sendJson(res, 200, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Slack answers 200 with ok:false; a 500 would make WebClient retry for half an hour.
      sendJson(res, 200, { ok: false, error: `fake_slack_error: ${String(error)}` });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const toPredicate = (match: string | CallPredicate): CallPredicate =>
    typeof match === 'string' ? (call) => call.method === match : match;

  return {
    url: `${origin}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    waitFor(match, { count = 1, timeoutMs = 5000 } = {}) {
      const predicate = toPredicate(match);
      const already = calls.filter(predicate);
      if (already.length >= count) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const what = typeof match === 'string' ? match : 'a predicate';
          reject(
            new Error(
              `fake Slack: timed out after ${timeoutMs}ms waiting for ${count} call(s) matching ${what} ` +
                `(found ${calls.filter(predicate).length}); recorded: ${summarise(calls)}`,
            ),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          count,
          resolve: (found) => {
            clearTimeout(timer);
            resolve(found);
          },
        };
        waiters.add(waiter);
      });
    },
    rateLimitNext(method, { times = 1, retryAfterSeconds = 1, match } = {}) {
      pushFault(faults, method, { times, match, answer: { kind: 'rateLimit', retryAfterSeconds } });
    },
    failNext(method, { times = 1, error, match }) {
      pushFault(faults, method, { times, match, answer: { kind: 'fail', error } });
    },
    stallNext(method, { times = 1, ms, match }) {
      if (times <= 0) return;
      stalls.set(method, [...(stalls.get(method) ?? []), { times, ms, match }]);
    },
    failChannel(channel, answer) {
      channelFaults.set(channel, answer);
    },
    clearChannel(channel) {
      channelFaults.delete(channel);
    },
    responseUrl: (id) => `${origin}/respond/${encodeURIComponent(id)}`,
    texts: () => calls.flatMap((call) => stringLeaves(call.body)),
    reset() {
      calls.length = 0;
      faults.clear();
      stalls.clear();
      channelFaults.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Builds Slack-shaped answers, with ids and timestamps unique and increasing per fake. */
class SlackResponder {
  private counter = 0;
  private readonly homeViews = new Map<string, string>();
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly teamId: string,
    private readonly options: FakeSlackOptions,
  ) {}

  answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://nhs-test.slack.com/',
          team: 'NHS test',
          user: 'mutualaid',
          team_id: this.teamId,
          user_id: 'UBOT',
          bot_id: 'BBOT',
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        return { ok: true, channel: body.channel, ts, message: this.message(body, ts) };
      }
      case 'chat.update': {
        const ts = stringOrUndefined(body.ts) ?? this.nextTs();
        return { ok: true, channel: body.channel, ts, text: body.text ?? '', message: this.message(body, ts) };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
      case 'views.push':
        return { ok: true, view: this.view(body, this.nextId('V')) };
      case 'views.update':
        return { ok: true, view: this.view(body, stringOrUndefined(body.view_id) ?? this.nextId('V')) };
      case 'views.publish': {
        const userId = stringOrUndefined(body.user_id) ?? '';
        const id = this.homeViews.get(userId) ?? this.nextId('V');
        this.homeViews.set(userId, id);
        return { ok: true, view: this.view(body, id) };
      }
      case 'users.info':
        return { ok: true, user: this.user(stringOrUndefined(body.user) ?? 'U0UNKNOWN') };
      case 'conversations.open': {
        const users = stringOrUndefined(body.users) ?? stringOrUndefined(body.channel) ?? '';
        const id = this.dmChannels.get(users) ?? this.nextId('D');
        this.dmChannels.set(users, id);
        return { ok: true, channel: { id } };
      }
      case 'apps.connections.open':
        return { ok: true, url: this.options.socketModeUrl ?? 'ws://127.0.0.1:9/fake-socket-mode' };
      default:
        return { ok: true };
    }
  }

  private nextTs(): string {
    this.counter += 1;
    const micros = this.counter * 100;
    return `${1_700_000_000 + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${String(this.counter).padStart(9, '0')}`;
  }

  private message(body: Record<string, unknown>, ts: string): Record<string, unknown> {
    return {
      type: 'message',
      text: body.text ?? '',
      user: 'UBOT',
      bot_id: 'BBOT',
      team: this.teamId,
      ts,
      ...(body.blocks === undefined ? {} : { blocks: body.blocks }),
      ...(body.thread_ts === undefined ? {} : { thread_ts: body.thread_ts }),
    };
  }

  private view(body: Record<string, unknown>, id: string): Record<string, unknown> {
    const submitted = isRecord(body.view) ? body.view : {};
    return {
      id,
      team_id: this.teamId,
      type: 'modal',
      private_metadata: '',
      callback_id: '',
      external_id: '',
      state: { values: {} },
      ...submitted,
      hash: `${Math.floor(Date.now() / 1000)}.${id}`,
      root_view_id: id,
      app_id: 'A0MUTUAL',
      bot_id: 'BBOT',
    };
  }

  private user(id: string): Record<string, unknown> {
    const name = id.toLowerCase();
    return {
      id,
      team_id: this.teamId,
      name,
      real_name: `Test User ${id}`,
      tz: 'Europe/London',
      tz_offset: 0,
      is_bot: false,
      deleted: false,
      profile: { real_name: `Test User ${id}`, display_name: name, email: `${name}@nhs-test.example` },
      ...this.options.users?.[id],
    };
  }
}

function pushFault(faults: Map<string, Fault[]>, method: string, fault: Fault): void {
  if (fault.times <= 0) return;
  const queue = faults.get(method) ?? [];
  queue.push(fault);
  faults.set(method, queue);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Decodes a JSON or form body; `undefined` when the body is malformed. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
  if (raw === '') return {};
  if (contentType?.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = JSON_FORM_FIELDS.has(key) ? tryJson(value) : value;
  }
  return body;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function summarise(calls: RecordedCall[]): string {
  if (calls.length === 0) return '(none)';
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
  return [...counts].map(([method, n]) => (n === 1 ? method : `${method}×${n}`)).join(', ');
}
