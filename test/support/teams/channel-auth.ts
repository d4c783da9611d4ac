/**
 * Both directions of Bot Framework authentication, faked for offline tests.
 *
 * Inbound (Teams → bot): the Bot Connector signs every request with an RS256
 * JWT whose key is published in the Bot Framework's OpenID metadata. Here one
 * RSA key pair is generated per test process; `signChannelToken` signs with it
 * and every fake connector serves its public half (`channelJwks`), so the
 * bot's real botframework-connector validation runs unchanged against it.
 *
 * Outbound (bot → connector): the SDK's stock credentials go through MSAL,
 * which only accepts an `https:` authority and, for any host but Azure AD's
 * own, first asks login.microsoftonline.com for instance discovery, so it can
 * never reach a local fake. `ClientCredentialsFactory` is the seam instead: the
 * same client-credentials grant (form POST of client_id, client_secret, scope
 * to `<ToChannelFromBotLoginUrl>/oauth2/v2.0/token`) over plain HTTP, behind
 * the SDK's own `AppCredentials`, so the ConnectorClient signs requests with
 * it exactly as it does with MSAL's tokens.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  AppCredentials,
  MicrosoftAppCredentials,
  ServiceClientCredentialsFactory,
  type AuthenticatorResult,
  type ServiceClientCredentials,
} from 'botframework-connector';
import jwt from 'jsonwebtoken';

/** `iss` of every token the Bot Connector sends to bots (public cloud). */
export const CHANNEL_TOKEN_ISSUER = 'https://api.botframework.com';
/** The OAuth scope (token audience) a bot requests for calls to the Bot Connector. */
export const BOT_CONNECTOR_SCOPE = 'https://api.botframework.com';
/** The tenant the Bot Framework's multi-tenant bot tokens come from. */
export const BOT_FRAMEWORK_TENANT = 'botframework.com';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  n: string;
  e: string;
}

let channelKey: SigningKey | undefined;
let foreignKey: SigningKey | undefined;

function makeKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.n === undefined || jwk.e === undefined) throw new Error('RSA public key exported without n/e');
  return { kid, privateKey, n: jwk.n, e: jwk.e };
}

/** The key the fake Bot Framework signs with: one per test process, published by every fake connector. */
function theChannelKey(): SigningKey {
  channelKey ??= makeKey(`fake-bf-${randomUUID().slice(0, 8)}`);
  return channelKey;
}

/** A key nobody publishes: what a forger would sign with. */
function theForeignKey(): SigningKey {
  foreignKey ??= makeKey(`forged-${randomUUID().slice(0, 8)}`);
  return foreignKey;
}

export interface ChannelJwk {
  kty: 'RSA';
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
  /** Channels this key may sign for; botframework-connector rejects other `channelId`s. */
  endorsements: string[];
}

/** The JWKS document (`{ keys }`) the fake's `jwks_uri` serves. */
export function channelJwks(): { keys: ChannelJwk[] } {
  const key = theChannelKey();
  return {
    keys: [{ kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n: key.n, e: key.e, endorsements: ['msteams'] }],
  };
}

export interface ChannelTokenOptions {
  /** The bot's Microsoft App ID: the token's `aud` unless `audience` is given. */
  appId: string;
  /** Becomes the `serviceurl` claim, which must equal the activity's `serviceUrl` exactly. */
  serviceUrl: string;
  /** Lifetime from now (default 3600). Negative gives an expired token (the SDK allows 300 s of clock skew). */
  expiresInSeconds?: number;
  /** Default `https://api.botframework.com`. */
  issuer?: string;
  /** Default `appId`. */
  audience?: string;
  /**
   * Sign with a key the fake does not publish. `'unknown-kid'` uses that key's own `kid`;
   * `'same-kid'` claims the published key's `kid`, so only the signature check can catch it.
   */
  forge?: 'unknown-kid' | 'same-kid';
}

/**
 * A channel → bot token as the Bot Connector sends it in `Authorization: Bearer …`:
 * RS256 with `kid`/`x5t` headers and claims `iss`, `aud`, `serviceurl`, `nbf`, `exp`.
 */
export function signChannelToken(options: ChannelTokenOptions): string {
  const published = theChannelKey();
  const signer = options.forge === undefined ? published : theForeignKey();
  const kid = options.forge === 'same-kid' ? published.kid : signer.kid;
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresInSeconds ?? 3600;
  const payload = {
    serviceurl: options.serviceUrl,
    nbf: Math.min(now, now + expiresIn - 60),
    exp: now + expiresIn,
    iss: options.issuer ?? CHANNEL_TOKEN_ISSUER,
    aud: options.audience ?? options.appId,
  };
  return jwt.sign(payload, signer.privateKey, {
    algorithm: 'RS256',
    keyid: kid,
    noTimestamp: true,
    header: { alg: 'RS256', kid, x5t: kid, typ: 'JWT' },
  });
}

/** An Azure AD-style app-only access token for the bot's own calls, as the fake token endpoint issues it. */
export function signBotAccessToken(options: {
  appId: string;
  scope: string;
  tenant: string;
  expiresInSeconds: number;
}): string {
  const now = Math.floor(Date.now() / 1000);
  const key = theChannelKey();
  const payload = {
    aud: options.scope.replace(/\/\.default$/, ''),
    iss: `https://sts.windows.net/${options.tenant}/`,
    iat: now,
    nbf: now,
    exp: now + options.expiresInSeconds,
    appid: options.appId,
    appidacr: '1',
    tid: options.tenant,
    ver: '1.0',
    jti: randomUUID(),
  };
  return jwt.sign(payload, key.privateKey, {
    algorithm: 'RS256',
    keyid: key.kid,
    noTimestamp: true,
    header: { alg: 'RS256', kid: key.kid, x5t: key.kid, typ: 'JWT' },
  });
}

/**
 * A `ServiceClientCredentialsFactory` (TeamsAdapter's second constructor argument) for an app id and
 * password that gets tokens by the client-credentials grant from `<loginEndpoint>/oauth2/v2.0/token` over
 * plain HTTP. With no app id, authentication is disabled, as with the SDK's own factory. Tokens are cached
 * per factory (not process-wide like the SDK's), so each test's bot fetches its own.
 */
export class ClientCredentialsFactory extends ServiceClientCredentialsFactory {
  private readonly cache = new Map<string, AuthenticatorResult>();

  constructor(
    private readonly appId: string,
    private readonly password: string,
  ) {
    super();
  }

  /** Tokens fetched so far, newest last. */
  readonly fetched: { scope: string; accessToken: string }[] = [];

  isValidAppId(appId: string): Promise<boolean> {
    return Promise.resolve(appId === this.appId);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(this.appId === '');
  }

  async createCredentials(
    appId: string,
    audience: string | undefined,
    loginEndpoint: string,
  ): Promise<ServiceClientCredentials> {
    if (await this.isAuthenticationDisabled()) return MicrosoftAppCredentials.Empty;
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    return new TokenEndpointCredentials(appId, this.password, audience ?? BOT_CONNECTOR_SCOPE, loginEndpoint, this);
  }

  /** @internal */
  async token(request: TokenRequest, forceRefresh: boolean): Promise<string> {
    const cached = this.cache.get(request.scope);
    if (!forceRefresh && cached && cached.expiresOn.getTime() > Date.now()) return cached.accessToken;
    const fresh = await requestToken(request);
    // Renew five minutes early, as the SDK does.
    this.cache.set(request.scope, { ...fresh, expiresOn: new Date(fresh.expiresOn.getTime() - 5 * 60_000) });
    this.fetched.push({ scope: request.scope, accessToken: fresh.accessToken });
    return fresh.accessToken;
  }
}

interface TokenRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

class TokenEndpointCredentials extends AppCredentials {
  private readonly request: TokenRequest;

  constructor(
    appId: string,
    password: string,
    oAuthScope: string,
    loginEndpoint: string,
    private readonly factory: ClientCredentialsFactory,
  ) {
    super(appId, undefined, oAuthScope);
    this.oAuthEndpoint = loginEndpoint;
    const scope = oAuthScope.endsWith('/.default') ? oAuthScope : `${oAuthScope}/.default`;
    this.request = {
      tokenUrl: `${loginEndpoint.replace(/\/+$/, '')}/oauth2/v2.0/token`,
      clientId: appId,
      clientSecret: password,
      scope,
    };
  }

  override getToken(forceRefresh = false): Promise<string> {
    return this.factory.token(this.request, forceRefresh);
  }

  protected refreshToken(): Promise<AuthenticatorResult> {
    return requestToken(this.request);
  }
}

async function requestToken(request: TokenRequest): Promise<AuthenticatorResult> {
  const response = await fetch(request.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      scope: request.scope,
    }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`token endpoint ${request.tokenUrl} answered ${response.status}: ${text}`);
  const body = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string') throw new Error(`token endpoint ${request.tokenUrl}: no access_token`);
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
  return { accessToken: body.access_token, expiresOn: new Date(Date.now() + expiresIn * 1000) };
}
