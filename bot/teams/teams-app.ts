/**
 * The Microsoft Teams front end on teams-ai: bot commands in personal chat
 * and channels, Adaptive Card Universal Actions (`Action.Execute`) for every
 * button and form, and the conversation references captured when the bot is
 * installed, for proactive notifications. Like the Slack app it only
 * translates: the shared handlers do the work.
 *
 * A card action is answered within Teams' invoke deadline: the handler gets
 * `answerBudgetMs`, and past that the user sees "working on it" and the card
 * is updated when the answer comes. A successful action refreshes the card it
 * came from for everyone in the conversation.
 */
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import {
  ActivityTypes,
  CardFactory,
  MemoryStorage,
  MessageFactory,
  StatusCodes,
  TurnContext,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import {
  AuthenticationError,
  type AuthenticateRequestResult,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import type { Db } from '../../db/client';
import { recordConversation, removeConversation } from '../../db/chat-directory';
import type { CardRef, ChatHandlers, SubmitReply } from '../core/chat-handlers';
import type { ChatUser } from '../core/chat-user';
import { message, type ChatMessage, type FormValues } from '../core/message';
import { formCard, messageCard, readAction, type AdaptiveCard } from './cards';

export const TEAMS_MESSAGES_PATH = '/api/messages';

export interface TeamsSettings {
  /** The Azure Bot's Microsoft App ID; absent: local mode, unauthenticated (the Agents Playground only). */
  appId?: string;
  appPassword?: string;
  appType?: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
  /**
   * Bot Framework authentication endpoints and a credentials factory (tests
   * point them at a local fake; with overrides, set every endpoint together).
   */
  authOverrides?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  credentialsFactory?: ServiceClientCredentialsFactory;
}

export interface TeamsAppOptions {
  db: Db;
  handlers: ChatHandlers;
  settings: TeamsSettings;
  /** How long a card action may run before Teams is answered with "working on it" (Teams allows a few seconds). */
  answerBudgetMs?: number;
}

export interface TeamsApp {
  adapter: TeamsAdapter;
  app: Application;
}

const DEFAULT_ANSWER_BUDGET_MS = 4_000;

type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * A token signed with a key other than the one it names fails jsonwebtoken's
 * check with an error botframework-connector passes on as it is, which the
 * adapter answers with 500. It is the caller's fault like any other bad
 * token: 401.
 */
class BotAdapter extends TeamsAdapter {
  protected override processActivity(
    authHeader: string,
    activity: Activity,
    logic: TurnLogic,
  ): Promise<InvokeResponse | undefined>;
  protected override processActivity(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: TurnLogic,
  ): Promise<InvokeResponse | undefined>;
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: TurnLogic,
  ): Promise<InvokeResponse | undefined> {
    try {
      return typeof auth === 'string'
        ? await super.processActivity(auth, activity, logic)
        : await super.processActivity(auth, activity, logic);
    } catch (error) {
      if (error instanceof Error && (error.name === 'JsonWebTokenError' || error.name === 'NotBeforeError')) {
        throw new AuthenticationError('Unauthorized. The token is not valid.', StatusCodes.UNAUTHORIZED);
      }
      throw error;
    }
  }
}

/** The adapter a bot and a notifier both use: authentication on when an app id is configured. */
export function createTeamsAdapter(settings: TeamsSettings): TeamsAdapter {
  const adapter = new BotAdapter(
    {
      MicrosoftAppId: settings.appId ?? '',
      MicrosoftAppPassword: settings.appPassword,
      MicrosoftAppType: settings.appType ?? (settings.appId ? 'MultiTenant' : undefined),
      MicrosoftAppTenantId: settings.tenantId,
      ...settings.authOverrides,
    },
    settings.credentialsFactory,
  );
  adapter.onTurnError = (context, error) => {
    // The name and first line only: an activity can carry what a user typed.
    console.error(`teams: ${error.name}: ${error.message.split('\n')[0]}`);
    return context.activity.type === String(ActivityTypes.Invoke) ? Promise.resolve() : sendQuietly(context);
  };
  return adapter;
}

const sendQuietly = async (context: TurnContext) => {
  await context.sendActivity('Sorry, something went wrong. Please try again.').catch(() => undefined);
};

export function createTeamsApp(options: TeamsAppOptions): TeamsApp {
  const { db, handlers } = options;
  const adapter = createTeamsAdapter(options.settings);
  const app = new Application({
    storage: new MemoryStorage(),
    adapter,
    botAppId: options.settings.appId ?? '',
    removeRecipientMention: true,
    startTypingTimer: false,
  });
  const budget = options.answerBudgetMs ?? DEFAULT_ANSWER_BUDGET_MS;

  app.conversationUpdate('membersAdded', async (context) => {
    const botAdded = (context.activity.membersAdded ?? []).some((m) => m.id === context.activity.recipient.id);
    if (!botAdded) return;
    await remember(db, context);
    const help = await handlers.command(userOf(context), 'help', placeOf(context));
    await context.sendActivity(cardActivity(help.kind === 'form' ? message({ title: 'Mutual aid' }) : help.message));
  });

  app.activity(ActivityTypes.InstallationUpdate, async (context) => {
    const action = (context.activity as Activity & { action?: string }).action ?? '';
    if (action.startsWith('remove')) await removeConversation(db, 'TEAMS', context.activity.conversation.id);
    else await remember(db, context);
  });

  app.message(/[\s\S]*/, async (context) => {
    await remember(db, context);
    const text = (context.activity.text ?? '').trim();
    const reply = await handlers.command(userOf(context), text, placeOf(context));
    if (reply.kind === 'form') await context.sendActivity(cardActivity(formCard(reply.form)));
    else await context.sendActivity(cardActivity(reply.message));
  });

  app.adaptiveCards.actionExecute<Record<string, unknown>>(/[\s\S]*/, async (context, _state, data) => {
    const verb = String((context.activity.value as { action?: { verb?: string } } | undefined)?.action?.verb ?? '');
    const user = userOf(context);
    const here = cardHere(context);
    const parsed = readAction(data, verb);
    if (!parsed) return 'That button could not be read. Please ask for a new card.';
    if (parsed.kind === 'cancel') return messageCard((await cardFor(user, here)) ?? message({ title: 'Cancelled' }));

    if (parsed.kind === 'action') {
      const requestId = `teams:${user.workspaceId}:${user.userId}:${verb}:${JSON.stringify(parsed.ref)}:${here?.messageRef ?? ''}`;
      const work = handlers.action(user, parsed.action, parsed.ref, here, requestId);
      const reply = await withinBudget(budget, work);
      if (!reply) {
        // Too slow for Teams' deadline: the card is refreshed for everyone when the answer comes.
        void work
          .then((late) => (late.kind === 'message' ? showDone(context, user, late.refresh, late.message) : undefined))
          .catch(logLate);
        return messageCard(
          message({ title: 'Working on it', body: 'Your answer is being saved; this card will update.' }),
        );
      }
      if (reply.kind === 'form') return formCard(reply.form);
      if (reply.kind === 'refused') return reply.message.text;
      return showDone(context, user, reply.refresh, reply.message);
    }

    const requestId = `teams-form:${parsed.form}:${here?.messageRef ?? ''}:${user.userId}`;
    const work = handlers.submit(user, parsed.form, parsed.context, parsed.values, requestId);
    const reply = await withinBudget(budget, work);
    if (!reply) {
      void finishLater(context, user, work, here).catch(logLate);
      return messageCard(message({ title: 'Working on it', body: 'Saving… this card will update.' }));
    }
    return answerSubmission(context, user, reply, parsed.form, parsed.context, parsed.values);
  });

  /** Field errors re-render the form with the answers kept; a result refreshes the card it came from. */
  async function answerSubmission(
    context: TurnContext,
    user: ChatUser,
    reply: SubmitReply,
    form: Parameters<ChatHandlers['formFor']>[1],
    formContext: Parameters<ChatHandlers['formFor']>[2],
    values: FormValues,
  ): Promise<AdaptiveCard | string> {
    if (reply.kind === 'invalid') {
      const again = await handlers.formFor(user, form, formContext);
      return again
        ? formCard(again, { values, errors: reply.errors })
        : reply.errors.map((error) => error.message).join('; ');
    }
    if (reply.kind === 'refused') return messageCard(reply.message);
    return showDone(context, user, reply.refresh, reply.message);
  }

  async function finishLater(context: TurnContext, user: ChatUser, work: Promise<SubmitReply>, here?: CardRef) {
    const reply = await work;
    if (reply.kind === 'done') {
      await showDone(context, user, reply.refresh ?? here, reply.message);
      return;
    }
    if (here) {
      const said = reply.kind === 'invalid' ? invalidMessage(reply) : reply.message;
      await context.updateActivity({ ...cardActivity(said), id: here.messageRef });
    }
  }

  async function cardFor(user: ChatUser, card?: CardRef): Promise<ChatMessage | undefined> {
    return card ? handlers.cardAt(user, card) : undefined;
  }

  /**
   * After a successful action: the card it came from, rebuilt, with who did
   * what ("Offer made by Alex Wilber"), for everyone in the conversation and
   * as the clicker's answer alike, so whichever Teams shows last is right.
   * With no card to refresh, the clicker gets the result itself.
   */
  async function showDone(context: TurnContext, user: ChatUser, card: CardRef | undefined, done: ChatMessage) {
    const refreshed = await cardFor(user, card);
    if (!refreshed || !card) return messageCard(done);
    const by = `${done.title} by ${context.activity.from.name ?? 'a colleague'}.`;
    const shown = messageCard({ ...refreshed, footnote: refreshed.footnote ? `${refreshed.footnote} ${by}` : by });
    await context.updateActivity({ ...cardActivity(shown), id: card.messageRef });
    return shown;
  }

  return { adapter, app };
}

/** The Teams user: AAD object id in a tenant. */
export function userOf(context: TurnContext): ChatUser {
  const activity = context.activity;
  const tenant =
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    activity.conversation.tenantId ??
    '';
  return { platform: 'TEAMS', workspaceId: tenant, userId: activity.from.aadObjectId ?? activity.from.id };
}

function placeOf(context: TurnContext) {
  return {
    channelId: context.activity.conversation.id,
    conversationReference: TurnContext.getConversationReference(context.activity),
  };
}

/** The message a card action came from, in its conversation. */
function cardHere(context: TurnContext): CardRef | undefined {
  const messageRef = context.activity.replyToId;
  return messageRef ? { channelId: context.activity.conversation.id, messageRef } : undefined;
}

async function remember(db: Db, context: TurnContext): Promise<void> {
  const activity = context.activity;
  const reference: Partial<ConversationReference> = TurnContext.getConversationReference(activity);
  const type = activity.conversation.conversationType ?? 'personal';
  await recordConversation(db, {
    platform: 'TEAMS',
    workspaceId: userOf(context).workspaceId,
    conversationId: activity.conversation.id,
    conversationType: type,
    externalUserId: type === 'personal' ? (activity.from.aadObjectId ?? activity.from.id) : undefined,
    reference,
  });
}

export function cardActivity(content: ChatMessage | AdaptiveCard): Partial<Activity> {
  const card = 'type' in content && content.type === 'AdaptiveCard' ? content : messageCard(content as ChatMessage);
  const text = 'type' in content && content.type === 'AdaptiveCard' ? undefined : (content as ChatMessage).text;
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  if (text) activity.summary = text;
  return activity;
}

function invalidMessage(reply: Extract<SubmitReply, { kind: 'invalid' }>): ChatMessage {
  return message({
    title: 'Not saved',
    body: 'Some answers need changing. Open the form again and check:',
    facts: reply.errors.map((error) => ({ label: error.field, value: error.message })),
    tone: 'refusal',
  });
}

/** A late answer that failed: nobody is waiting for it, so say so in the log (the name only). */
function logLate(error: unknown): void {
  console.error(`teams: a late answer could not be shown: ${error instanceof Error ? error.name : 'error'}`);
}

async function withinBudget<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
