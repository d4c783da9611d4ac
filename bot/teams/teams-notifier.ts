/**
 * Sends journey notifications to Teams: to the conversations linked to the
 * audience (`connect …` in a channel), or, for an organisation audience with
 * no linked conversation, to each member of staff in that role who has the
 * bot in their personal chat. Proactive sends use the conversation reference
 * stored when the bot was installed. Runs inside the notify activity: a
 * retried send skips conversations it already posted to (chat_deliveries),
 * and keeps each activity id so a click can refresh the card in place.
 */
import type { ConversationReference } from 'botbuilder';
import type { Db } from '../../db/client';
import { channelsForAudience, personalConversationsFor, type ChannelRow } from '../../db/chat-directory';
import type { DeliveryAttempt, JourneyNotification, Notifier } from '../../domain/notifications';
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
        await adapter.continueConversationAsync(
          appId,
          target.conversationReference as Partial<ConversationReference>,
          async (context) => {
            try {
              const sent = await context.sendActivity(activity);
              messageRef = sent?.id ?? '';
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

/** The notifier a worker uses for Teams. */
export function createTeamsNotifier(db: Db, settings: TeamsSettings): TeamsNotifier {
  return new TeamsNotifier({ db, adapter: createTeamsAdapter(settings), appId: settings.appId ?? '' });
}
