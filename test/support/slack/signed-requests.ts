/**
 * Requests built and signed exactly as Slack sends them to an app's Request
 * URL: slash commands and interactivity payloads as form bodies, Events API
 * callbacks as JSON, each with `x-slack-signature` and
 * `x-slack-request-timestamp`. `SlackRequester` POSTs them with global
 * `fetch` and reports status, body and elapsed time, so tests can check both
 * what the app answered and that it answered within Slack's 3 seconds.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
/** The legacy verification token Slack still puts in bodies; Bolt ignores it. */
const VERIFICATION_TOKEN = 'fakeVerificationToken';

export interface SlackSignatureHeaders {
  'content-type': string;
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/**
 * Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`.
 * Note Bolt compares `content-type` exactly: form bodies must be `application/x-www-form-urlencoded`, no charset.
 */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
  contentType: string = FORM,
): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return {
    'content-type': contentType,
    'x-slack-signature': `v0=${digest}`,
    'x-slack-request-timestamp': String(timestampSeconds),
  };
}

export interface SlackOption {
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
}

/** One input's state in `view.state.values[blockId][actionId]`, as Slack sends it. */
export type StateValue =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'datepicker'; selected_date: string | null }
  | { type: 'static_select' | 'radio_buttons'; selected_option: SlackOption | null }
  | { type: 'checkboxes'; selected_options: SlackOption[] }
  | { type: 'users_select'; selected_user: string | null }
  | ({ type: string } & Record<string, unknown>);

export type StateValues = Record<string, Record<string, StateValue>>;

/** Shorthands for state values. */
export const stateValue = {
  text: (value: string | null): StateValue => ({ type: 'plain_text_input', value }),
  date: (selectedDate: string | null): StateValue => ({ type: 'datepicker', selected_date: selectedDate }),
  select: (value: string, text: string = value): StateValue => ({
    type: 'static_select',
    selected_option: option(value, text),
  }),
  radio: (value: string, text: string = value): StateValue => ({
    type: 'radio_buttons',
    selected_option: option(value, text),
  }),
  checkboxes: (values: string[]): StateValue => ({
    type: 'checkboxes',
    selected_options: values.map((value) => option(value, value)),
  }),
  user: (userId: string | null): StateValue => ({ type: 'users_select', selected_user: userId }),
};

function option(value: string, text: string): SlackOption {
  return { text: { type: 'plain_text', text, emoji: true }, value };
}

/** Per-request overrides, for tests of stale or forged requests. */
export interface SendOptions {
  /** Sign (and send) with this timestamp instead of now, e.g. ten minutes ago. */
  timestampSeconds?: number;
  /** Send this `x-slack-signature` instead of the correct one. */
  signature?: string;
  /** Extra or replacement headers. */
  headers?: Record<string, string>;
  /** Abort the request after this long (default 10 s). */
  timeoutMs?: number;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  headers: Record<string, string>;
  elapsedMs: number;
  /** The payload that was sent (the `payload` JSON for interactivity, the form fields for commands). */
  sent: Record<string, unknown>;
}

export interface SlackRequesterOptions {
  /** The app's Request URL, e.g. `http://127.0.0.1:1234/slack/events`. */
  url: string;
  signingSecret: string;
  teamId: string;
  teamDomain?: string;
  apiAppId?: string;
  /** Clock in epoch milliseconds for timestamps in headers and payloads (default `Date.now`). */
  now?: () => number;
  /** Gives commands and message actions a default `response_url`, e.g. `(id) => fake.responseUrl(id)`. */
  responseUrlFor?: (id: string) => string;
}

export interface SlashCommandInput {
  userId: string;
  userName?: string;
  command?: string;
  text?: string;
  channelId: string;
  channelName?: string;
  triggerId?: string;
  responseUrl?: string;
}

/** A view a block action came from, or the modal being submitted. */
export interface ViewInput {
  id?: string;
  type?: 'modal' | 'home';
  callbackId?: string;
  privateMetadata?: string;
  values?: StateValues;
  hash?: string;
}

export interface BlockActionInput {
  userId: string;
  userName?: string;
  actionId: string;
  blockId?: string;
  value?: string;
  /** Fields merged into the action, e.g. `{ type: 'static_select', selected_option }`. */
  action?: Record<string, unknown>;
  channelId?: string;
  messageTs?: string;
  /** Fields merged into `message` (when `messageTs` is given), e.g. its `text` or `blocks`. */
  message?: Record<string, unknown>;
  /** When the action came from a modal or the Home tab. */
  view?: ViewInput;
  triggerId?: string;
  responseUrl?: string;
}

export interface ViewSubmissionInput {
  userId: string;
  userName?: string;
  callbackId: string;
  privateMetadata?: string;
  values: StateValues;
  viewId?: string;
  hash?: string;
  triggerId?: string;
}

export interface EventInput {
  type: string;
  /** Becomes the event's `user`. */
  userId?: string;
  [field: string]: unknown;
}

export interface EventOptions extends SendOptions {
  /** Adds `x-slack-retry-num` (Slack retries carry the original `event_id`: pass it as `eventId`). */
  retryNum?: number;
  /** `x-slack-retry-reason`, e.g. `http_timeout` (default when `retryNum` is given). */
  retryReason?: string;
  eventId?: string;
}

export class SlackRequester {
  private readonly url: string;
  private readonly signingSecret: string;
  private readonly teamId: string;
  private readonly teamDomain: string;
  private readonly apiAppId: string;
  private readonly now: () => number;
  private readonly responseUrlFor?: (id: string) => string;

  constructor(options: SlackRequesterOptions) {
    this.url = options.url;
    this.signingSecret = options.signingSecret;
    this.teamId = options.teamId;
    this.teamDomain = options.teamDomain ?? 'nhs-test';
    this.apiAppId = options.apiAppId ?? 'A0MUTUAL';
    this.now = options.now ?? Date.now;
    this.responseUrlFor = options.responseUrlFor;
  }

  slashCommand(input: SlashCommandInput, options?: SendOptions): Promise<SlackHttpResponse> {
    const fields: Record<string, string> = {
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: input.channelId,
      channel_name: input.channelName ?? (input.channelId.startsWith('D') ? 'directmessage' : 'general'),
      user_id: input.userId,
      user_name: input.userName ?? input.userId.toLowerCase(),
      command: input.command ?? '/mutualaid',
      text: input.text ?? '',
      api_app_id: this.apiAppId,
      is_enterprise_install: 'false',
      response_url: input.responseUrl ?? this.defaultResponseUrl() ?? '',
      trigger_id: input.triggerId ?? this.triggerId(),
    };
    return this.send(new URLSearchParams(fields).toString(), FORM, fields, options);
  }

  blockAction(input: BlockActionInput, options?: SendOptions): Promise<SlackHttpResponse> {
    const actionTs = this.slackTs();
    const fromView = input.view !== undefined;
    const view = input.view === undefined ? undefined : this.view(input.view, input.userId);
    const messageTs = input.messageTs;
    const responseUrl = input.responseUrl ?? (fromView ? undefined : this.defaultResponseUrl());
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: this.user(input.userId, input.userName),
      api_app_id: this.apiAppId,
      token: VERIFICATION_TOKEN,
      container: view
        ? { type: 'view', view_id: view.id }
        : { type: 'message', message_ts: messageTs, channel_id: input.channelId, is_ephemeral: false },
      trigger_id: input.triggerId ?? this.triggerId(),
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      ...(input.channelId === undefined ? {} : { channel: { id: input.channelId, name: 'general' } }),
      ...(messageTs === undefined
        ? {}
        : { message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: '', ts: messageTs, ...input.message } }),
      ...(view ? { view } : { state: { values: {} } }),
      ...(responseUrl === undefined ? {} : { response_url: responseUrl }),
      actions: [
        {
          type: 'button',
          action_id: input.actionId,
          block_id: input.blockId ?? `b-${input.actionId}`,
          ...(input.value === undefined ? {} : { value: input.value }),
          action_ts: actionTs,
          ...input.action,
        },
      ],
    };
    return this.sendPayload(payload, options);
  }

  viewSubmission(input: ViewSubmissionInput, options?: SendOptions): Promise<SlackHttpResponse> {
    const view = this.view(
      {
        id: input.viewId,
        type: 'modal',
        callbackId: input.callbackId,
        privateMetadata: input.privateMetadata,
        values: input.values,
        hash: input.hash,
      },
      input.userId,
    );
    const payload: Record<string, unknown> = {
      type: 'view_submission',
      team: { id: this.teamId, domain: this.teamDomain },
      user: this.user(input.userId, input.userName),
      api_app_id: this.apiAppId,
      token: VERIFICATION_TOKEN,
      trigger_id: input.triggerId ?? this.triggerId(),
      view,
      response_urls: [],
      enterprise: null,
      is_enterprise_install: false,
    };
    return this.sendPayload(payload, options);
  }

  event(input: EventInput, options: EventOptions = {}): Promise<SlackHttpResponse> {
    const { userId, ...fields } = input;
    const eventTime = Math.floor(this.now() / 1000);
    const payload: Record<string, unknown> = {
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      context_team_id: this.teamId,
      context_enterprise_id: null,
      api_app_id: this.apiAppId,
      event: { ...(userId === undefined ? {} : { user: userId }), event_ts: this.slackTs(), ...fields },
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${randomId(10)}`,
      event_time: eventTime,
      authorizations: [
        { enterprise_id: null, team_id: this.teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
    const retryHeaders: Record<string, string> =
      options.retryNum === undefined
        ? {}
        : {
            'x-slack-retry-num': String(options.retryNum),
            'x-slack-retry-reason': options.retryReason ?? 'http_timeout',
          };
    return this.send(JSON.stringify(payload), JSON_TYPE, payload, {
      ...options,
      headers: { ...retryHeaders, ...options.headers },
    });
  }

  /** POSTs `body` with exactly these headers: no signing. */
  raw(body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<SlackHttpResponse> {
    return this.post(body, headers, {}, timeoutMs);
  }

  private sendPayload(payload: Record<string, unknown>, options?: SendOptions): Promise<SlackHttpResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.send(body, FORM, payload, options);
  }

  private send(
    body: string,
    contentType: string,
    sent: Record<string, unknown>,
    options: SendOptions = {},
  ): Promise<SlackHttpResponse> {
    const timestamp = options.timestampSeconds ?? Math.floor(this.now() / 1000);
    const signed = signSlackRequest(this.signingSecret, body, timestamp, contentType);
    const headers: Record<string, string> = {
      ...signed,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...(options.signature === undefined ? {} : { 'x-slack-signature': options.signature }),
      ...options.headers,
    };
    return this.post(body, headers, sent, options.timeoutMs ?? 10_000);
  }

  private async post(
    body: string,
    headers: Record<string, string>,
    sent: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<SlackHttpResponse> {
    const started = performance.now();
    const response = await fetch(this.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const elapsedMs = performance.now() - started;
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      body: text,
      ...(json === undefined ? {} : { json }),
      headers: Object.fromEntries(response.headers),
      elapsedMs,
      sent,
    };
  }

  private view(input: ViewInput, userId: string): Record<string, unknown> {
    const id = input.id ?? `V${randomId(10)}`;
    const type = input.type ?? 'modal';
    return {
      id,
      team_id: this.teamId,
      type,
      blocks: [],
      private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId ?? '',
      state: { values: input.values ?? {} },
      hash: input.hash ?? `${Math.floor(this.now() / 1000)}.${randomId(8)}`,
      title: { type: 'plain_text', text: 'Mutual aid', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: this.apiAppId,
      external_id: '',
      app_installed_team_id: this.teamId,
      bot_id: 'BBOT',
      ...(type === 'home' ? { user: userId } : {}),
    };
  }

  private user(userId: string, userName?: string): Record<string, unknown> {
    const name = userName ?? userId.toLowerCase();
    return { id: userId, username: name, name, team_id: this.teamId };
  }

  private defaultResponseUrl(): string | undefined {
    return this.responseUrlFor?.(randomId(12));
  }

  /** A Slack-style `seconds.micros` timestamp from the clock. */
  private slackTs(): string {
    const ms = Math.floor(this.now());
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0')}`;
  }

  private triggerId(): string {
    return `${Math.floor(this.now() / 1000)}.${randomDigits(13)}.${randomId(32).toLowerCase()}`;
  }
}

function randomId(length: number): string {
  return randomBytes(length).toString('hex').toUpperCase().slice(0, length);
}

function randomDigits(length: number): string {
  return Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
}
