/**
 * Activities shaped as the Teams service sends them to a bot's messaging
 * endpoint (channelId `msteams`, `29:` user ids, `28:<appId>` bot ids,
 * tenant in `conversation` and `channelData`, `en-GB` locale), and
 * `TeamsRequester`, which POSTs them as the Bot Connector does and reports
 * status, body and elapsed time.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { TEST_TENANT_ID, uuidFrom } from './fake-bot-connector';

export interface TeamsUser {
  /** `29:1…`: the user's id in this bot's conversations. */
  id: string;
  /** The user's Entra ID (Azure AD) object id. */
  aadObjectId: string;
  name: string;
}

export interface TeamsBot {
  appId: string;
  name?: string;
}

export type TeamsConversation =
  | { conversationType: 'personal'; id: string }
  | { conversationType: 'groupChat'; id: string }
  | {
      conversationType: 'channel';
      /** `19:…@thread.tacv2`, or with `;messageid=<root>` for a reply thread. */
      id: string;
      /** The team's id (its General channel's id). */
      teamId: string;
      /** The channel's own id. */
      channelId: string;
      teamName?: string;
      aadGroupId?: string;
    };

/** A user with a fresh `29:` id and a stable-looking `aadObjectId`. */
export function teamsUser(name: string, overrides: Partial<TeamsUser> = {}): TeamsUser {
  const id = overrides.id ?? `29:1${randomToken(43)}`;
  return { id, aadObjectId: overrides.aadObjectId ?? uuidFrom(id), name };
}

/** A 1:1 chat between a user and the bot (`a:1…`). */
export function personalConversation(id = `a:1${randomToken(60)}`): TeamsConversation {
  return { conversationType: 'personal', id };
}

export function groupChatConversation(id = `19:${randomHex(32)}@thread.v2`): TeamsConversation {
  return { conversationType: 'groupChat', id };
}

/**
 * A channel conversation. Without `rootMessageId` it is the channel itself (where the bot posts new threads);
 * with it, the reply thread under that message, as Teams sends for messages in a thread.
 */
export function channelConversation(
  options: { teamId?: string; channelId?: string; rootMessageId?: string; teamName?: string; aadGroupId?: string } = {},
): TeamsConversation {
  const teamId = options.teamId ?? `19:${randomHex(32)}@thread.tacv2`;
  const channelId = options.channelId ?? teamId;
  return {
    conversationType: 'channel',
    id: options.rootMessageId === undefined ? channelId : `${channelId};messageid=${options.rootMessageId}`,
    teamId,
    channelId,
    ...(options.teamName === undefined ? {} : { teamName: options.teamName }),
    ...(options.aadGroupId === undefined ? {} : { aadGroupId: options.aadGroupId }),
  };
}

export interface ActivityContext {
  /** Where the bot must send replies: the fake connector's `serviceUrl`. */
  serviceUrl: string;
  bot: TeamsBot;
  /** Default: a fresh `teamsUser('Test User')`. */
  from?: TeamsUser;
  /** Default: a fresh personal conversation. */
  conversation?: TeamsConversation;
  tenantId?: string;
  /** Default: a Teams-style id (epoch ms for messages, `f:…` for events and invokes). */
  id?: string;
  /** Default: now. */
  timestamp?: Date;
  /** Default `en-GB`. */
  locale?: string;
}

export interface ChannelAccountJson {
  id: string;
  name?: string;
  aadObjectId?: string;
  role?: string;
}

/** The JSON the Teams service POSTs; extra fields per activity type. */
export interface TeamsActivity {
  type: string;
  id: string;
  timestamp: string;
  localTimestamp?: string;
  channelId: 'msteams';
  serviceUrl: string;
  from: ChannelAccountJson;
  recipient: ChannelAccountJson;
  conversation: { id: string; conversationType: string; tenantId: string; isGroup?: boolean; name?: string };
  channelData: {
    tenant: { id: string };
    team?: { id: string; name?: string; aadGroupId?: string };
    channel?: { id: string; name?: string };
    [field: string]: unknown;
  };
  entities?: Record<string, unknown>[];
  locale: string;
  localTimezone?: string;
  text?: string;
  textFormat?: string;
  name?: string;
  value?: unknown;
  action?: string;
  replyToId?: string;
  membersAdded?: ChannelAccountJson[];
  membersRemoved?: ChannelAccountJson[];
  attachments?: unknown[];
  [field: string]: unknown;
}

export interface MessageOptions extends ActivityContext {
  /** In channels and group chats Teams only delivers messages that @mention the bot: default true there. */
  mentionBot?: boolean;
  /** Action.Submit data arrives as a message with `value` (and often no text). */
  value?: unknown;
  replyToId?: string;
  attachments?: unknown[];
}

/** A message from a user, as Teams sends it (in channels, `<at>Bot</at> text` with a mention entity). */
export function message(text: string, options: MessageOptions): TeamsActivity {
  const base = envelope('message', options, String(Date.now()));
  const conversationType = base.conversation.conversationType;
  const mention = options.mentionBot ?? conversationType !== 'personal';
  const botName = base.recipient.name ?? 'Bot';
  const atBot = `<at>${botName}</at>`;
  return {
    ...base,
    text: mention ? `${atBot} ${text}` : text,
    textFormat: 'plain',
    attachments: options.attachments ?? [],
    entities: [
      ...(mention ? [{ type: 'mention', mentioned: { id: base.recipient.id, name: botName }, text: atBot }] : []),
      ...(base.entities ?? []),
    ],
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }),
  };
}

/**
 * The bot was added to a conversation: `conversationUpdate` with the bot in `membersAdded`
 * (for a team, `channelData.eventType: 'teamMemberAdded'` and the team's General channel as conversation).
 */
export function conversationUpdateBotAdded(options: ActivityContext): TeamsActivity {
  const base = envelope('conversationUpdate', options);
  const inTeam = base.channelData.team !== undefined;
  return {
    ...base,
    membersAdded: [{ id: base.recipient.id }],
    channelData: { ...base.channelData, ...(inTeam ? { eventType: 'teamMemberAdded' } : {}) },
  };
}

/** The app was installed (`add`) or uninstalled (`remove`) for a user, chat or team. */
export function installationUpdate(action: 'add' | 'remove', options: ActivityContext): TeamsActivity {
  const base = envelope('installationUpdate', options);
  return {
    ...base,
    action,
    channelData: {
      ...base.channelData,
      ...(action === 'add' ? { source: { name: 'message' } } : {}),
    },
  };
}

export interface AdaptiveCardActionOptions extends ActivityContext {
  verb: string;
  data?: Record<string, unknown>;
  /** The id of the message carrying the card. */
  replyToId: string;
  /** The button's title (Teams includes it). */
  title?: string;
}

/** A user pressed an `Action.Execute` button: invoke `adaptiveCard/action`, answered in the HTTP response. */
export function adaptiveCardAction(options: AdaptiveCardActionOptions): TeamsActivity {
  const base = envelope('invoke', options);
  return {
    ...base,
    name: 'adaptiveCard/action',
    replyToId: options.replyToId,
    value: {
      action: {
        type: 'Action.Execute',
        ...(options.title === undefined ? {} : { title: options.title }),
        verb: options.verb,
        data: options.data ?? {},
      },
      trigger: 'manual',
    },
    channelData: { ...base.channelData, source: { name: 'message' }, legacy: { replyToId: options.replyToId } },
  };
}

/** Builders with shared defaults (serviceUrl, bot, tenant…); per-call options override them. */
export function activitiesFor(defaults: ActivityContext) {
  return {
    message: (text: string, options: Partial<MessageOptions> = {}) => message(text, { ...defaults, ...options }),
    conversationUpdateBotAdded: (options: Partial<ActivityContext> = {}) =>
      conversationUpdateBotAdded({ ...defaults, ...options }),
    installationUpdate: (action: 'add' | 'remove', options: Partial<ActivityContext> = {}) =>
      installationUpdate(action, { ...defaults, ...options }),
    adaptiveCardAction: (options: Omit<AdaptiveCardActionOptions, keyof ActivityContext> & Partial<ActivityContext>) =>
      adaptiveCardAction({ ...defaults, ...options }),
  };
}

/** The SDK's conversation reference for an activity (what a bot stores for proactive messages). */
export function conversationReferenceOf(activity: TeamsActivity): Partial<ConversationReference> {
  return TurnContext.getConversationReference(activity as unknown as Partial<Activity>);
}

function envelope(type: string, options: ActivityContext, defaultId = `f:${randomDigits(19)}`): TeamsActivity {
  const tenantId = options.tenantId ?? TEST_TENANT_ID;
  const from = options.from ?? teamsUser('Test User');
  const conversation = options.conversation ?? personalConversation();
  const timestamp = options.timestamp ?? new Date();
  const iso = timestamp.toISOString();
  const channelData: TeamsActivity['channelData'] = { tenant: { id: tenantId } };
  if (conversation.conversationType === 'channel') {
    channelData.teamsChannelId = conversation.channelId;
    channelData.teamsTeamId = conversation.teamId;
    channelData.channel = { id: conversation.channelId };
    channelData.team = {
      id: conversation.teamId,
      ...(conversation.teamName === undefined ? {} : { name: conversation.teamName }),
      ...(conversation.aadGroupId === undefined ? {} : { aadGroupId: conversation.aadGroupId }),
    };
  }
  return {
    type,
    id: options.id ?? defaultId,
    timestamp: iso,
    localTimestamp: iso.replace('Z', '+00:00'),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: `28:${options.bot.appId}`, name: options.bot.name ?? 'Mutual Aid' },
    conversation: {
      ...(conversation.conversationType === 'personal' ? {} : { isGroup: true }),
      conversationType: conversation.conversationType,
      tenantId,
      id: conversation.id,
    },
    channelData,
    entities: [
      {
        type: 'clientInfo',
        locale: options.locale ?? 'en-GB',
        country: 'GB',
        platform: 'Web',
        timezone: 'Europe/London',
      },
    ],
    locale: options.locale ?? 'en-GB',
    localTimezone: 'Europe/London',
  };
}

export interface TeamsHttpResponse {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  elapsedMs: number;
}

export interface PostOptions {
  /** Send exactly this `Authorization` header (or none, with `null`) instead of `Bearer <token()>`. */
  authorization?: string | null;
  headers?: Record<string, string>;
  /** Abort after this long (default 15 s: the Bot Connector itself gives up on bots after 15 s). */
  timeoutMs?: number;
}

/** POSTs activities to a bot's messaging endpoint as the Bot Connector does. */
export class TeamsRequester {
  readonly url: string;
  private readonly token?: () => string;

  /** `url`: e.g. `http://127.0.0.1:1234/api/messages`; `token`: e.g. `() => fake.channelToken(appId)`. */
  constructor(options: { url: string; token?: () => string }) {
    this.url = options.url;
    this.token = options.token;
  }

  async post(activity: TeamsActivity | Record<string, unknown>, options: PostOptions = {}): Promise<TeamsHttpResponse> {
    const authorization =
      options.authorization === undefined
        ? this.token === undefined
          ? undefined
          : `Bearer ${this.token()}`
        : (options.authorization ?? undefined);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)',
      ...(authorization === undefined ? {} : { authorization }),
      ...options.headers,
    };
    const started = performance.now();
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const body = await response.text();
    const elapsedMs = performance.now() - started;
    let json: unknown;
    try {
      json = body === '' ? undefined : (JSON.parse(body) as unknown);
    } catch {
      json = undefined;
    }
    return { status: response.status, body, ...(json === undefined ? {} : { json }), elapsedMs };
  }
}

function randomToken(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

function randomDigits(length: number): string {
  return Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
}
