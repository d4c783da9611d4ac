/**
 * Sends journey notifications to Teams: to the conversations linked to the
 * audience (`connect …` in a channel), or, for an organisation audience with
 * no linked conversation, to each member of staff in that role who has the
 * bot in their personal chat. Proactive sends use the conversation reference
 * stored when the bot was installed. Runs inside the notify activity: a
 * retried send skips conversations it already posted to (chat_deliveries),
 * and keeps each activity id so a click can refresh the card in place.
 *
 * Each send ends within `CHAT_SEND_BUDGET_MS`, well inside the notify step's
 * timeout: the connector client has no request timeout of its own, retries
 * 5xx three times and waits out any Retry-After however long, so a send the
 * step had given up on could otherwise go out after its retry had sent the
 * same card. The connector call carries a per-request timeout and an abort
 * signal that ends its retries and waits when the budget is spent.
 */
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Db } from '../../db/client';
import { channelsForAudience, personalConversationsFor, type ChannelRow } from '../../db/chat-directory';
import type { DeliveryAttempt, JourneyNotification, Notifier } from '../../domain/notifications';
import { CHAT_REQUEST_TIMEOUT_MS, CHAT_SEND_BUDGET_MS } from '../../workflows/shared/step-timeout';
import { deliverOnceToEach } from '../core/deliver-once';
import { notificationMessage } from '../core/notification-message';
import { cardActivity, createTeamsAdapter, type TeamsSettings } from './teams-app';
import { TEAMS_SEND_ERRORS } from './teams-errors';
import type { TeamsAdapter } from '@microsoft/teams-ai';

export interface TeamsNotifierOptions {
  db: Db;
  adapter: TeamsAdapter;
  /** The bot's app id (empty in local mode). */
  appId: string;
  now?: () => Date;
}

export class TeamsNotifier implements Notifier {
  private readonly now: () => Date;

  constructor(private readonly options: TeamsNotifierOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async notify(notification: JourneyNotification, attempt?: DeliveryAttempt): Promise<void> {
    const { db, adapter, appId } = this.options;
    const linked = (await channelsForAudience(db, 'TEAMS', notification.audience)).filter(
      (row) => row.conversationReference,
    );
    const targets: ChannelRow[] =
      linked.length > 0 ? linked : await personalConversationsFor(db, 'TEAMS', notification.audience);
    if (targets.length === 0) return;
    const activity = cardActivity(await notificationMessage(db, notification, this.now()));
    await deliverOnceToEach(
      db,
      'TEAMS',
      notification,
      targets,
      async (target) => {
        let messageRef = '';
        // A failed send must fail the activity (so Temporal retries it), not end in the adapter's turn-error handler.
        let failure: unknown;
        // Started before the turn: a token fetched slowly for it counts too (a request is not sent once aborted).
        const budget = AbortSignal.timeout(CHAT_SEND_BUDGET_MS);
        await adapter.continueConversationAsync(
          appId,
          target.conversationReference as Partial<ConversationReference>,
          async (context) => {
            try {
              const sent = await sendWithin(context, adapter, activity, budget);
              messageRef = sent.id ?? '';
            } catch (error) {
              failure = error;
            }
          },
        );
        if (failure instanceof Error) throw failure;
        if (failure !== undefined) throw new Error('The Teams send failed');
        return messageRef;
      },
      { attempt, errors: TEAMS_SEND_ERRORS },
    );
  }
}

/**
 * What `context.sendActivity` does in a proactive turn (the conversation reference applied, a reply when the
 * reference names an activity), with the connector call bounded: each HTTP try by `CHAT_REQUEST_TIMEOUT_MS`,
 * and every try, pause and Retry-After wait together by `budget`. botbuilder's `sendActivity` takes no such
 * options, so the connector client of the turn is called directly.
 */
async function sendWithin(
  context: TurnContext,
  adapter: TeamsAdapter,
  activity: Partial<Activity>,
  budget: AbortSignal,
): Promise<{ id?: string }> {
  const outgoing = TurnContext.applyConversationReference(
    { type: ActivityTypes.Message, ...activity },
    TurnContext.getConversationReference(context.activity),
  );
  delete outgoing.id;
  const connector = context.turnState.get<ConnectorClient | undefined>(adapter.ConnectorClientKey);
  if (!connector) throw new Error('No Bot Connector client in the proactive turn');
  const conversationId = outgoing.conversation?.id ?? '';
  const options = { abortSignal: budget, timeout: CHAT_REQUEST_TIMEOUT_MS };
  return outgoing.replyToId
    ? connector.conversations.replyToActivity(conversationId, outgoing.replyToId, outgoing, options)
    : connector.conversations.sendToConversation(conversationId, outgoing, options);
}

/** The notifier a worker uses for Teams. */
export function createTeamsNotifier(db: Db, settings: TeamsSettings): TeamsNotifier {
  return new TeamsNotifier({ db, adapter: createTeamsAdapter(settings), appId: settings.appId ?? '' });
}
