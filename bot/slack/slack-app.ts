/**
 * The Slack front end on Bolt: `/mutualaid`, every button, every modal and
 * the Home tab, each translated to the shared handlers and back to Block Kit.
 *
 * Slack wants an answer within 3 seconds. Commands and buttons are acked at
 * once and the work continues after; a modal submission waits up to
 * `ackBudgetMs` (counted from when the receiver took the request) for the
 * Workflow Update so a refusal can land on its field, and past that acks with
 * a "working on it" view that is updated when the answer comes. While the bot
 * is busy with submissions (`busyWithSubmissions` in flight) a new one does
 * not wait at all: it is acked "working on it" at once and answered the same
 * way. Requests arrive over HTTP (signature checked by Bolt's receiver: a bad
 * or stale signature gets 401 and reaches no listener) or over Socket Mode.
 */
import { performance } from 'node:perf_hooks';
import {
  App,
  ExpressReceiver,
  LogLevel,
  SocketModeReceiver,
  type BlockAction,
  type ButtonAction,
  type Context,
} from '@slack/bolt';
import { retryPolicies, type RetryOptions, type WebClient } from '@slack/web-api';
import type { Application } from 'express';
import type { CardRef, ChatHandlers, Reply, SubmitReply } from '../core/chat-handlers';
import type { ChatUser } from '../core/chat-user';
import { FORM_IDS, message, type ChatMessage, type FormId } from '../core/message';
import {
  ACTION_ID_PATTERN,
  decodeActionValue,
  decodeFormContext,
  fieldErrors,
  formValues,
  formView,
  homeView,
  messageBlocks,
  messageView,
} from './blocks';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  handlers: ChatHandlers;
  botToken: string;
  /** HTTP mode: requests are verified with it. */
  signingSecret?: string;
  /** Socket Mode (an `xapp-` token): no public URL needed, no signing secret. */
  appToken?: string;
  /** HTTP mode: the express app the receiver mounts `/slack/events` on. */
  httpApp?: Application;
  /** Slack's Web API base URL; tests point it at a local fake. */
  slackApiUrl?: string;
  /** Skips Bolt's start-up `auth.test` when the bot's ids are known. */
  botUserId?: string;
  logLevel?: LogLevel;
  /**
   * How long a modal submission may wait for its answer before Slack is acked with a "working" view,
   * from when the receiver took the request.
   */
  ackBudgetMs?: number;
  /** How many submissions in flight make the bot busy, so that a new one is acked "working" at once. */
  busyWithSubmissions?: number;
  /** WebClient retry policy (tests use a quick one). */
  retryConfig?: RetryOptions;
}

export interface SlackApp {
  app: App;
  /** Socket Mode only: connects; HTTP mode is served by the express app. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const FORM_ID_PATTERN = new RegExp(`^(${FORM_IDS.join('|')})$`);
const DEFAULT_ACK_BUDGET_MS = 1_500;
/**
 * People submitting forms by hand seldom have more than a few submissions in flight at the same moment, and
 * those are answered well within the budget (50 at once were, in the slack bench group). Ten already in
 * flight means a burst, and then the bot's one event loop, not the journey, decides when an ack leaves: with
 * 200 at once each waiting out its budget, a quarter to a half of the acks reached Slack after its 3 seconds
 * (README, "200 chat clicks at once"). In a burst a submission is acked at once and its answer, errors
 * included, comes by `views.update`.
 */
const DEFAULT_BUSY_WITH_SUBMISSIONS = 10;
const WORKING = message({ title: 'Working on it', body: 'Saving…' });

/** Each receiver stamps a request as it takes it, so a submission's budget counts the time it queued. */
const stampReceipt = () => ({ receivedAt: performance.now() });
/** Bolt's context types custom properties loosely; both receivers set this one. */
const receivedAt = (context: Context): number =>
  typeof context.receivedAt === 'number' ? context.receivedAt : performance.now();

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { handlers } = options;
  const logLevel = options.logLevel ?? LogLevel.WARN;
  // Always an explicit policy: in Socket Mode the socket client would otherwise write its own
  // (100 retries) into these shared options, and every listener's Web API call would inherit it.
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: options.retryConfig ?? retryPolicies.tenRetriesInAboutThirtyMinutes,
  };
  const identity = options.botUserId ? { botUserId: options.botUserId, botId: options.botUserId } : {};
  let receiver: ExpressReceiver | undefined;
  let app: App;
  if (options.appToken) {
    // The receiver Bolt would make, given the same client options, and a stamp on each request.
    const socketReceiver = new SocketModeReceiver({
      appToken: options.appToken,
      logLevel,
      installerOptions: { clientOptions },
      customPropertiesExtractor: stampReceipt,
    });
    app = new App({
      token: options.botToken,
      receiver: socketReceiver,
      socketMode: true,
      logLevel,
      clientOptions,
      ...identity,
    });
  } else {
    if (!options.signingSecret) throw new Error('SLACK_SIGNING_SECRET is needed for Slack over HTTP');
    receiver = new ExpressReceiver({
      signingSecret: options.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      app: options.httpApp,
      logLevel,
      customPropertiesExtractor: stampReceipt,
    });
    app = new App({ token: options.botToken, receiver, logLevel, clientOptions, ...identity });
  }
  const ackBudgetMs = options.ackBudgetMs ?? DEFAULT_ACK_BUDGET_MS;
  const busyWithSubmissions = options.busyWithSubmissions ?? DEFAULT_BUSY_WITH_SUBMISSIONS;
  /** Submissions whose Update has not answered yet, acked or not. */
  let submissionsInFlight = 0;

  const userOf = (body: { user?: { id: string; team_id?: string }; team?: { id: string } | null }): ChatUser => ({
    platform: 'SLACK',
    workspaceId: body.user?.team_id ?? body.team?.id ?? '',
    userId: body.user?.id ?? '',
  });

  app.command('/mutualaid', async ({ command, ack, respond, client }) => {
    await ack();
    const user: ChatUser = { platform: 'SLACK', workspaceId: command.team_id, userId: command.user_id };
    const reply = await handlers.command(user, command.text, { channelId: command.channel_id });
    if (reply.kind === 'form') {
      await client.views.open({ trigger_id: command.trigger_id, view: formView(reply.form) });
    } else {
      await respond({ response_type: 'ephemeral', ...messageBlocks(reply.message) });
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_ID_PATTERN, async ({ ack, body, action, client, respond }) => {
    await ack();
    const user = userOf(body);
    const decoded = decodeActionValue(action.value ?? '');
    if (!decoded) {
      await tell(
        client,
        body,
        respond,
        message({ title: 'Not done', body: 'That button could not be read.', tone: 'refusal' }),
      );
      return;
    }
    const card: CardRef | undefined =
      body.container?.type === 'message' && body.channel?.id && body.message?.ts
        ? { channelId: body.channel.id, messageRef: body.message.ts }
        : undefined;
    const requestId = `slack:${user.workspaceId}:${user.userId}:${action.value}:${card?.messageRef ?? 'home'}`;
    const reply = await handlers.action(user, decoded.action, decoded.ref, card, requestId);
    await deliver(client, body, respond, user, reply);
  });

  app.view(FORM_ID_PATTERN, async ({ ack, body, view, client, context }) => {
    const user = userOf(body);
    const form = decodeFormContext(view.private_metadata);
    const formId = view.callback_id as FormId;
    if (!form) {
      await ack({
        response_action: 'update',
        view: messageView(refusal('This form could not be read: open it again.')),
      });
      return;
    }
    const submit = (): Promise<SubmitReply> => {
      submissionsInFlight += 1;
      return handlers.submit(user, formId, form, formValues(view.state), `slack-view:${view.id}`).finally(() => {
        submissionsInFlight -= 1;
      });
    };
    const budgetLeftMs = ackBudgetMs - (performance.now() - receivedAt(context));
    let work: Promise<SubmitReply> | undefined;
    if (submissionsInFlight < busyWithSubmissions && budgetLeftMs > 0) {
      work = submit();
      const inTime = await Promise.race([work, delay(budgetLeftMs).then(() => undefined)]);
      if (inTime) {
        await ack(submitAck(inTime, view.state));
        if (inTime.kind === 'done') await refresh(client, user, inTime.refresh);
        return;
      }
    }
    // Busy, or out of budget: acked now, answered when the Update answers.
    await ack({ response_action: 'update', view: messageView(WORKING) });
    const reply = await (work ?? submit());
    await client.views.update({ view_id: view.id, view: messageView(afterAck(reply)) });
    if (reply.kind === 'done') await refresh(client, user, reply.refresh);
  });

  app.event('app_home_opened', async ({ event, context, client }) => {
    // Slack retries an event it thinks went unanswered; the Home tab was already published for it.
    if (context.retryNum !== undefined || event.tab !== 'home') return;
    const user: ChatUser = { platform: 'SLACK', workspaceId: context.teamId ?? '', userId: event.user };
    await client.views.publish({ user_id: event.user, view: homeView(await handlers.home(user)) });
  });

  app.error((error) => {
    // The code only: payloads can carry what a user typed into a form.
    console.error(`slack: ${(error as { code?: string }).code ?? error.name}: ${error.message.split('\n')[0]}`);
    return Promise.resolve();
  });

  async function deliver(
    client: WebClient,
    body: BlockAction,
    respond: RespondFn,
    user: ChatUser,
    reply: Reply,
  ): Promise<void> {
    if (reply.kind === 'form') {
      const view = formView(reply.form);
      if (body.view?.type === 'modal') await client.views.push({ trigger_id: body.trigger_id, view });
      else await client.views.open({ trigger_id: body.trigger_id, view });
      return;
    }
    await tell(client, body, respond, reply.message);
    if (reply.kind === 'message') await refresh(client, user, reply.refresh);
    if (body.view?.type === 'home') {
      await client.views.publish({ user_id: user.userId, view: homeView(await handlers.home(user)) });
    }
  }

  /** Rebuilds the card the click came from, for everyone in the channel. */
  async function refresh(client: WebClient, user: ChatUser, card: CardRef | undefined): Promise<void> {
    if (!card) return;
    const now = await handlers.cardAt(user, card);
    if (!now) return;
    await client.chat.update({ channel: card.channelId, ts: card.messageRef, ...messageBlocks(now) });
  }

  return {
    app,
    async start() {
      if (options.appToken) await app.start();
    },
    async stop() {
      if (options.appToken) await app.stop();
    },
  };
}

type RespondFn = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks: unknown[];
}) => Promise<unknown>;

/** A reply only the clicker sees: ephemeral in a channel, a modal from the Home tab. */
async function tell(client: WebClient, body: BlockAction, respond: unknown, said: ChatMessage): Promise<void> {
  if (body.container?.type === 'message' && typeof respond === 'function') {
    await (respond as RespondFn)({ response_type: 'ephemeral', replace_original: false, ...messageBlocks(said) });
    return;
  }
  await client.views.open({ trigger_id: body.trigger_id, view: messageView(said) });
}

/** Field errors go on the input blocks, which are the keys of the submitted state, in the form's order. */
function submitAck(reply: SubmitReply, state: { values: Record<string, unknown> }) {
  if (reply.kind === 'invalid') {
    const fields = Object.keys(state.values).map((id) => ({ id }));
    return { response_action: 'errors' as const, errors: fieldErrors(reply.errors, { fields }) };
  }
  return { response_action: 'update' as const, view: messageView(reply.message) };
}

/** After the ack there is no field to pin an error on: the errors are listed instead. */
function afterAck(reply: SubmitReply): ChatMessage {
  if (reply.kind !== 'invalid') return reply.message;
  return message({
    title: 'Not saved',
    body: 'Some answers need changing. Open the form again and check:',
    facts: reply.errors.map((error) => ({ label: error.field, value: error.message })),
    tone: 'refusal',
  });
}

const refusal = (text: string) => message({ title: 'Not done', body: text, tone: 'refusal' });
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
