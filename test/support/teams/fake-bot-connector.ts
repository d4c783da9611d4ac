/**
 * A local fake of the Bot Connector service that Teams bots talk back to:
 * a real HTTP server on 127.0.0.1 at the activity's `serviceUrl`. It
 * implements the REST calls botbuilder's ConnectorClient makes (send, reply,
 * update, delete, create conversation, members), records every request in
 * arrival order, answers like the real service (activity ids unique and
 * increasing), and can inject 429s, 5xx errors and slow answers.
 *
 * The same server also plays the Bot Framework's identity side, so a bot
 * configured with an app id and password can run its real JWT validation
 * offline (see `botAuthOptions`):
 *   GET  /openid/.well-known/openidconfiguration   OpenID metadata
 *   GET  /openid/keys                              JWKS (one RSA key, endorsed for `msteams`)
 *   POST /token, POST /<tenant>/oauth2/v2.0/token  client-credentials token endpoint (AAD-shaped)
 * Those are recorded too, with `kind: 'auth'`.
 */
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import {
  BOT_CONNECTOR_SCOPE,
  BOT_FRAMEWORK_TENANT,
  CHANNEL_TOKEN_ISSUER,
  channelJwks,
  ClientCredentialsFactory,
  signBotAccessToken,
  signChannelToken,
  type ChannelTokenOptions,
} from './channel-auth';
import { isRecord, stringLeaves } from '../json-leaves';
import { hungUpWithin } from '../held-request';

export { signChannelToken, ClientCredentialsFactory, type ChannelTokenOptions } from './channel-auth';

export type ConnectorOperation =
  | 'send'
  | 'reply'
  | 'update'
  | 'delete'
  | 'createConversation'
  | 'getMembers'
  | 'getPagedMembers'
  | 'getMember'
  | 'openIdMetadata'
  | 'jwks'
  | 'token'
  | 'unknown';

/** One request the fake received. */
export interface ConnectorCall {
  /** `connector`: a Bot Connector REST call; `auth`: OpenID metadata, keys or token endpoint. */
  kind: 'connector' | 'auth';
  operation: ConnectorOperation;
  method: string;
  /** Path and query as received (conversation ids still URL-encoded). */
  path: string;
  /** Decoded from the path. */
  conversationId?: string;
  activityId?: string;
  memberId?: string;
  /** JSON bodies parsed; form bodies (token requests) as an object of fields; `{}` when empty. */
  body: unknown;
  /** The raw `Authorization` header. */
  authorization?: string;
  /** `Date.now()` on arrival. */
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
  /** Answered 429 by `rateLimitNext`. */
  rateLimited?: true;
  /** Answered with an error status by `failNext`. */
  failed?: true;
  /** Held by `stallNext`, and the client hung up first: the fake did nothing with it (nothing was sent). */
  timedOut?: true;
  /** Held by `stallNext`, and the client waited: answered late. */
  stalled?: true;
  /** The body the fake answered with. */
  response?: unknown;
}

/** An activity the bot delivered (sent or replied), with the id the fake gave it. */
export interface SentActivity {
  type: string;
  /** Assigned by the fake. */
  id: string;
  text?: string;
  textFormat?: string;
  attachments?: { contentType: string; content?: unknown; [field: string]: unknown }[];
  replyToId?: string;
  conversation?: { id: string; [field: string]: unknown };
  from?: { id: string; name?: string; [field: string]: unknown };
  recipient?: { id: string; name?: string; aadObjectId?: string; [field: string]: unknown };
  channelData?: Record<string, unknown>;
  /** The conversation in the URL it was posted to. */
  toConversationId: string;
  /** `reply` when posted to `…/activities/:activityId`; `createConversation` for a new conversation's first activity. */
  via: 'send' | 'reply' | 'createConversation';
  [field: string]: unknown;
}

export interface TeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  givenName?: string;
  surname?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: string;
  [field: string]: unknown;
}

export type CallPredicate = (call: ConnectorCall) => boolean;

export interface WaitForOptions {
  /** How many matching calls to wait for (default 1). */
  count?: number;
  /** Default 5000. */
  timeoutMs?: number;
}

export interface FaultOptions {
  /** Only connector calls matching this count towards (and get) the fault; default every connector call. */
  match?: CallPredicate;
}

export interface FakeBotConnectorOptions {
  /** Tenant id reported for members (default `TEST_TENANT_ID`). */
  tenantId?: string;
  /** When set, the token endpoint only issues tokens for these app id → password pairs (else 401 invalid_client). */
  clients?: Record<string, string>;
  /** When true, connector calls must carry a token this fake issued (else 401), like the real service. */
  requireAuth?: boolean;
}

export interface FakeBotConnector {
  /** The server's base URL, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** What activities' `serviceUrl` should be: the same as `url`. */
  readonly serviceUrl: string;
  /** `<url>openid/.well-known/openidconfiguration`. */
  readonly openIdMetadataUrl: string;
  /** `<url>botframework.com`: a `ToChannelFromBotLoginUrl`, whose `/oauth2/v2.0/token` this fake serves. */
  readonly loginUrl: string;
  /** Every request in arrival order, faulted ones included. Cleared in place by `reset()`. */
  readonly calls: ConnectorCall[];
  /** Access tokens the token endpoint issued (kept across `reset()`, since bots cache them). */
  readonly issuedTokens: string[];
  /** Members answered by the members endpoints, by member id; unknown ids get a synthesised member. */
  readonly members: Map<string, TeamsMember>;
  /** Activities delivered by send, reply or with a created conversation (2xx only), in arrival order. */
  sent(): SentActivity[];
  /** Bodies of successful `PUT …/activities/:id` calls, with `activityId` from the URL. */
  updates(): { activityId: string; conversationId: string; activity: Record<string, unknown> }[];
  /** Resolves with all matching calls once at least `count` exist; rejects on timeout with a summary of calls. */
  waitFor(predicate: CallPredicate, options?: WaitForOptions): Promise<ConnectorCall[]>;
  /** `waitFor` over delivered activities (default: any message). */
  waitForSent(predicate?: (activity: SentActivity) => boolean, options?: WaitForOptions): Promise<SentActivity[]>;
  /**
   * The next `times` connector calls get HTTP 429 with `Retry-After: <seconds>` (omitted when `null`)
   * and body `{ error: { code: 'TooManyRequests' } }`.
   */
  rateLimitNext(times: number, retryAfterSeconds?: number | null, options?: FaultOptions): void;
  /** The next `times` connector calls get `status` (default 500) with a Bot Connector error body. */
  failNext(times: number, status?: number, options?: FaultOptions): void;
  /**
   * The next `times` connector calls are held `ms` before the fake acts on them: a slow connector. A client
   * that gives up first finds nothing done: the call is recorded `timedOut` (status 0), not sent.
   */
  stallNext(times: number, ms: number, options?: FaultOptions): void;
  /** Every string value in every connector call body (deep; auth calls excluded): for privacy scans. */
  texts(): string[];
  /** `signChannelToken` with this fake's `serviceUrl`. */
  channelToken(appId: string, options?: Partial<ChannelTokenOptions>): string;
  /** Clears calls and injected faults (not members or issued tokens). */
  reset(): void;
  close(): Promise<void>;
}

export const TEST_TENANT_ID = '72f988bf-0000-4000-8000-00000000feed';

interface Fault {
  times: number;
  match?: CallPredicate;
  answer:
    | { kind: 'rateLimit'; retryAfterSeconds: number | null }
    | { kind: 'fail'; status: number }
    | { kind: 'stall'; ms: number };
}

interface Waiter {
  predicate: CallPredicate;
  count: number;
  resolve: (calls: ConnectorCall[]) => void;
  cancel: () => void;
}

interface Route {
  operation: ConnectorOperation;
  /** For AAD-shaped token requests: the tenant in the path. */
  tenant?: string;
  conversationId?: string;
  activityId?: string;
  memberId?: string;
}

export async function startFakeBotConnector(options: FakeBotConnectorOptions = {}): Promise<FakeBotConnector> {
  const tenantId = options.tenantId ?? TEST_TENANT_ID;
  const calls: ConnectorCall[] = [];
  const issuedTokens: string[] = [];
  const members = new Map<string, TeamsMember>();
  let faults: Fault[] = [];
  const waiters = new Set<Waiter>();
  const personalConversations = new Map<string, string>();
  // Activity ids look like Teams' (epoch milliseconds), unique and increasing per fake.
  let lastActivityId = Date.now();
  const nextActivityId = (): string => {
    lastActivityId = Math.max(lastActivityId + 1, Date.now());
    return String(lastActivityId);
  };

  const record = (call: ConnectorCall): void => {
    calls.push(call);
    for (const waiter of waiters) {
      const matching = calls.filter(waiter.predicate);
      if (matching.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve(matching);
      }
    }
  };

  const takeFault = (call: ConnectorCall, stall = false): Fault['answer'] | undefined => {
    const index = faults.findIndex(
      (fault) => (fault.answer.kind === 'stall') === stall && (fault.match === undefined || fault.match(call)),
    );
    const fault = faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault.answer;
  };

  let origin = '';

  const member = (memberId: string): TeamsMember =>
    members.get(memberId) ?? {
      id: memberId,
      name: `Test User ${memberId.slice(-6)}`,
      aadObjectId: uuidFrom(memberId),
      userPrincipalName: `user-${memberId.slice(-6).toLowerCase()}@nhs-test.example`,
      email: `user-${memberId.slice(-6).toLowerCase()}@nhs-test.example`,
      tenantId,
      userRole: 'user',
    };

  const answerAuth = (route: Route, body: Record<string, unknown>): [number, unknown] => {
    switch (route.operation) {
      case 'openIdMetadata':
        return [
          200,
          {
            issuer: CHANNEL_TOKEN_ISSUER,
            authorization_endpoint: 'https://invalid.botframework.com',
            jwks_uri: `${origin}/openid/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          },
        ];
      case 'jwks':
        return [200, channelJwks()];
      default: {
        const clientId = typeof body.client_id === 'string' ? body.client_id : '';
        const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
        if (body.grant_type !== 'client_credentials' || clientId === '') {
          return [
            400,
            { error: 'invalid_request', error_description: 'AADSTS900144: client_credentials grant required' },
          ];
        }
        if (options.clients && options.clients[clientId] !== secret) {
          return [
            401,
            { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
          ];
        }
        const scope = typeof body.scope === 'string' ? body.scope : `${BOT_CONNECTOR_SCOPE}/.default`;
        const accessToken = signBotAccessToken({
          appId: clientId,
          scope,
          tenant: route.tenant ?? BOT_FRAMEWORK_TENANT,
          expiresInSeconds: 3600,
        });
        issuedTokens.push(accessToken);
        return [200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken }];
      }
    }
  };

  const answerConnector = (route: Route, body: Record<string, unknown>): [number, unknown] => {
    switch (route.operation) {
      case 'send':
      case 'reply':
        return [201, { id: nextActivityId() }];
      case 'update':
        return [200, { id: route.activityId }];
      case 'delete':
        return [200, undefined];
      case 'createConversation': {
        const firstMember = Array.isArray(body.members) ? (body.members[0] as unknown) : undefined;
        const memberId = isRecord(firstMember) && typeof firstMember.id === 'string' ? firstMember.id : '';
        const isGroup = body.isGroup === true;
        let id = isGroup ? undefined : personalConversations.get(memberId);
        if (id === undefined) {
          id = `a:new${nextActivityId()}`;
          if (!isGroup) personalConversations.set(memberId, id);
        }
        // Like the real service, `activityId` only when an initial activity was posted with the request.
        return [201, { id, ...(isRecord(body.activity) ? { activityId: nextActivityId() } : {}) }];
      }
      case 'getMembers':
        return [200, membersOf()];
      case 'getPagedMembers':
        return [200, { members: membersOf() }];
      case 'getMember':
        return [200, member(route.memberId ?? '')];
      default:
        return [404, { error: { code: 'NotFound', message: 'The fake Bot Connector does not implement this call' } }];
    }
  };

  const membersOf = (): TeamsMember[] => [...members.values()];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const route = routeOf(method, new URL(path, 'http://fake').pathname);
    const raw = await readBody(req);
    const body = parseBody(raw, req.headers['content-type']);
    const kind = AUTH_OPERATIONS.has(route.operation) ? 'auth' : 'connector';
    const call: ConnectorCall = {
      kind,
      operation: route.operation,
      method,
      path,
      ...(route.conversationId === undefined ? {} : { conversationId: route.conversationId }),
      ...(route.activityId === undefined ? {} : { activityId: route.activityId }),
      ...(route.memberId === undefined ? {} : { memberId: route.memberId }),
      body,
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
      at: Date.now(),
      status: 0,
    };
    const reply = (status: number, response: unknown, extra: Partial<ConnectorCall> = {}): void => {
      record({ ...call, ...extra, status, ...(response === undefined ? {} : { response }) });
      sendJson(res, status, response);
    };

    if (kind === 'auth') {
      const [status, response] = answerAuth(route, isRecord(body) ? body : {});
      return reply(status, response);
    }
    if (body === undefined) {
      return reply(400, { error: { code: 'BadArgument', message: 'Malformed JSON body' } });
    }
    if (options.requireAuth && !issuedTokens.some((token) => call.authorization === `Bearer ${token}`)) {
      return reply(401, { message: 'Authorization has been denied for this request.' });
    }
    const stall = route.operation === 'unknown' ? undefined : takeFault({ ...call, body }, true);
    if (stall?.kind === 'stall' && (await hungUpWithin(res, stall.ms))) return record({ ...call, timedOut: true });
    if (stall?.kind === 'stall') call.stalled = true;
    const fault = route.operation === 'unknown' ? undefined : takeFault({ ...call, body });
    if (fault?.kind === 'rateLimit') {
      if (fault.retryAfterSeconds !== null) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { rateLimited: true });
    }
    if (fault?.kind === 'fail') {
      return reply(
        fault.status,
        { error: { code: 'ServiceError', message: `Injected failure ${fault.status}` } },
        {
          failed: true,
        },
      );
    }
    const [status, response] = answerConnector(route, isRecord(body) ? body : {});
    reply(status, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendJson(res, 500, { error: { code: 'FakeConnectorError', message: String(error) } });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const url = `${origin}/`;

  const toSent = (call: ConnectorCall): SentActivity | undefined => {
    if (call.status >= 300 || !isRecord(call.body) || !isRecord(call.response)) return undefined;
    const { body, response } = call;
    if (call.operation === 'createConversation') {
      if (!isRecord(body.activity) || typeof response.id !== 'string') return undefined;
      const activity = body.activity;
      return {
        ...activity,
        type: typeof activity.type === 'string' ? activity.type : '',
        id: typeof response.activityId === 'string' ? response.activityId : '',
        toConversationId: response.id,
        via: 'createConversation',
      };
    }
    if (call.operation !== 'send' && call.operation !== 'reply') return undefined;
    return {
      ...body,
      type: typeof body.type === 'string' ? body.type : '',
      id: typeof response.id === 'string' ? response.id : '',
      toConversationId: call.conversationId ?? '',
      via: call.operation,
    };
  };
  const delivered = (): SentActivity[] => calls.flatMap((call) => toSent(call) ?? []);

  const waitFor = (predicate: CallPredicate, { count = 1, timeoutMs = 5000 }: WaitForOptions = {}) => {
    const already = calls.filter(predicate);
    if (already.length >= count) return Promise.resolve(already);
    return new Promise<ConnectorCall[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `fake Bot Connector: timed out after ${timeoutMs}ms waiting for ${count} matching call(s) ` +
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
        cancel: () => {
          clearTimeout(timer);
          reject(new Error('fake Bot Connector closed while waiting'));
        },
      };
      waiters.add(waiter);
    });
  };

  return {
    url,
    serviceUrl: url,
    openIdMetadataUrl: `${origin}/openid/.well-known/openidconfiguration`,
    loginUrl: `${origin}/${BOT_FRAMEWORK_TENANT}`,
    calls,
    issuedTokens,
    members,
    sent: delivered,
    updates: () =>
      calls
        .filter((call) => call.operation === 'update' && call.status < 300)
        .map((call) => ({
          activityId: call.activityId ?? '',
          conversationId: call.conversationId ?? '',
          activity: isRecord(call.body) ? call.body : {},
        })),
    waitFor,
    async waitForSent(predicate = (activity) => activity.type === 'message', options = {}) {
      const found = await waitFor((call) => {
        const activity = toSent(call);
        return activity !== undefined && predicate(activity);
      }, options);
      return found.flatMap((call) => toSent(call) ?? []);
    },
    rateLimitNext(times, retryAfterSeconds = 1, { match } = {}) {
      if (times > 0) faults.push({ times, match, answer: { kind: 'rateLimit', retryAfterSeconds } });
    },
    failNext(times, status = 500, { match } = {}) {
      if (times > 0) faults.push({ times, match, answer: { kind: 'fail', status } });
    },
    stallNext(times, ms, { match } = {}) {
      if (times > 0) faults.push({ times, match, answer: { kind: 'stall', ms } });
    },
    texts: () => calls.filter((call) => call.kind === 'connector').flatMap((call) => stringLeaves(call.body)),
    channelToken: (appId, tokenOptions = {}) => signChannelToken({ serviceUrl: url, ...tokenOptions, appId }),
    reset() {
      calls.length = 0;
      faults = [];
    },
    async close() {
      for (const waiter of waiters) waiter.cancel();
      waiters.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export interface BotAuthOptions {
  appId: string;
  password: string;
  /** TeamsAdapter's first argument: app credentials plus every Bot Framework URL pointed at the fake. */
  config: ConfigurationBotFrameworkAuthenticationOptions & { MicrosoftAppPassword: string; MicrosoftAppType: string };
  /** TeamsAdapter's second argument: gets the bot's outgoing tokens from the fake's token endpoint. */
  credentialsFactory: ClientCredentialsFactory;
}

export const TEST_BOT_APP_ID = '00000000-0000-4000-8000-00000000b07a';
export const TEST_BOT_PASSWORD = 'test-bot-password';

/**
 * What a bot under test is configured with when app credentials are on:
 * `new TeamsAdapter(auth.config, auth.credentialsFactory)`.
 *
 * Setting any of the `ToBot…`/`ToChannel…`/`OAuthUrl`/`CallerId` keys makes botbuilder's
 * `BotFrameworkAuthenticationFactory` build a `ParameterizedBotFrameworkAuthentication` from exactly these
 * values instead of the public-cloud constants, so inbound JWTs are validated against the fake's OpenID
 * metadata and keys (issuer `https://api.botframework.com`, `aud` = app id, `serviceurl` = the activity's
 * serviceUrl, key endorsed for the activity's channelId), and outbound credentials are requested for
 * `ToChannelFromBotLoginUrl`/`ToChannelFromBotOAuthScope`.
 */
export function botAuthOptions(
  fake: Pick<FakeBotConnector, 'url' | 'openIdMetadataUrl' | 'loginUrl'>,
  { appId = TEST_BOT_APP_ID, password = TEST_BOT_PASSWORD }: { appId?: string; password?: string } = {},
): BotAuthOptions {
  return {
    appId,
    password,
    config: {
      MicrosoftAppId: appId,
      MicrosoftAppPassword: password,
      MicrosoftAppType: 'MultiTenant',
      ToBotFromChannelOpenIdMetadataUrl: fake.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: CHANNEL_TOKEN_ISSUER,
      ToBotFromEmulatorOpenIdMetadataUrl: fake.openIdMetadataUrl,
      ToChannelFromBotLoginUrl: fake.loginUrl,
      ToChannelFromBotOAuthScope: BOT_CONNECTOR_SCOPE,
      OAuthUrl: fake.url,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: false,
    },
    credentialsFactory: new ClientCredentialsFactory(appId, password),
  };
}

const AUTH_OPERATIONS = new Set<ConnectorOperation>(['openIdMetadata', 'jwks', 'token']);

function routeOf(method: string, pathname: string): Route {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const decoded = segments.map((segment) => safeDecode(segment));
  if (method === 'GET' && pathname === '/openid/.well-known/openidconfiguration')
    return { operation: 'openIdMetadata' };
  if (method === 'GET' && pathname === '/openid/keys') return { operation: 'jwks' };
  if (method === 'POST' && pathname === '/token') return { operation: 'token' };
  // AAD's v2 token endpoint: /<tenant>/oauth2/v2.0/token.
  if (method === 'POST' && segments.length === 4 && segments.slice(1).join('/') === 'oauth2/v2.0/token') {
    return { operation: 'token', tenant: decoded[0] };
  }
  if (decoded[0] !== 'v3' || decoded[1] !== 'conversations') return { operation: 'unknown' };
  const [, , conversationId, collection, itemId, extra] = decoded;
  if (conversationId === undefined) return method === 'POST' ? { operation: 'createConversation' } : unknown();
  if (extra !== undefined) return unknown(conversationId);
  if (collection === 'activities') {
    if (itemId === undefined)
      return method === 'POST' ? { operation: 'send', conversationId } : unknown(conversationId);
    const activityId = itemId;
    if (method === 'POST') return { operation: 'reply', conversationId, activityId };
    if (method === 'PUT') return { operation: 'update', conversationId, activityId };
    if (method === 'DELETE') return { operation: 'delete', conversationId, activityId };
    return unknown(conversationId);
  }
  if (collection === 'members' && method === 'GET') {
    return itemId === undefined
      ? { operation: 'getMembers', conversationId }
      : { operation: 'getMember', conversationId, memberId: itemId };
  }
  if (collection === 'pagedmembers' && method === 'GET' && itemId === undefined) {
    return { operation: 'getPagedMembers', conversationId };
  }
  return unknown(conversationId);
}

function unknown(conversationId?: string): Route {
  return conversationId === undefined ? { operation: 'unknown' } : { operation: 'unknown', conversationId };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A stable GUID-shaped id derived from a string (synthesised members' `aadObjectId`). */
export function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON or form body; `{}` when empty; `undefined` when JSON is malformed. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return {};
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function summarise(calls: ConnectorCall[]): string {
  if (calls.length === 0) return '(none)';
  return calls
    .map((call) => {
      const body = isRecord(call.body) ? call.body : {};
      const what = typeof body.type === 'string' ? ` ${body.type}` : '';
      const text = typeof body.text === 'string' ? ` "${body.text.slice(0, 40)}"` : '';
      return `${call.method} ${call.operation}${what}${text} → ${call.status}`;
    })
    .join('; ');
}
