/**
 * Sends journey notifications to the Slack channels linked to their audience
 * (an organisation's clinicians, managers or coordinators, or a region's
 * escalation leads). Runs inside the notify activity: a retried send finds
 * the channels it already posted to in chat_deliveries and skips them, and
 * each post's ts is kept so a later click can update the card in place.
 *
 * The worker's WebClient (`notifierClientOptions`) finishes every post
 * within the notify step's timeout: a request timeout and one quick retry,
 * rather than the library's defaults (no timeout, ten retries over half an
 * hour), so a post the step has given up on can never go out after its retry
 * has posted. A 429 is not waited out in the client (that wait has no bound
 * and holds up every other request): the step is retried after Retry-After.
 */
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Db } from '../../db/client';
import { channelsForAudience } from '../../db/chat-directory';
import type { DeliveryAttempt, JourneyNotification, Notifier } from '../../domain/notifications';
import { CHAT_REQUEST_TIMEOUT_MS, CHAT_REQUEST_TRIES, CHAT_RETRY_PAUSE_MS } from '../../workflows/shared/step-timeout';
import { deliverOnceToEach } from '../core/deliver-once';
import { notificationMessage } from '../core/notification-message';
import { messageBlocks } from './blocks';
import { SLACK_SEND_ERRORS } from './slack-errors';

export interface SlackNotifierOptions {
  db: Db;
  client: WebClient;
  now?: () => Date;
}

export class SlackNotifier implements Notifier {
  private readonly now: () => Date;

  constructor(private readonly options: SlackNotifierOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async notify(notification: JourneyNotification, attempt?: DeliveryAttempt): Promise<void> {
    const { db, client } = this.options;
    const channels = await channelsForAudience(db, 'SLACK', notification.audience);
    if (channels.length === 0) return;
    const rendered = messageBlocks(await notificationMessage(db, notification, this.now()));
    await deliverOnceToEach(
      db,
      'SLACK',
      notification,
      channels,
      async (channel) => {
        const posted = await client.chat.postMessage({
          channel: channel.channelId,
          ...rendered,
          unfurl_links: false,
          unfurl_media: false,
        });
        return posted.ts!;
      },
      { attempt, errors: SLACK_SEND_ERRORS },
    );
  }
}

/**
 * The notifier's WebClient settings: each post ends within `CHAT_SEND_BUDGET_MS` (two tries of at most
 * `CHAT_REQUEST_TIMEOUT_MS`, `CHAT_RETRY_PAUSE_MS` apart), and a 429 is handed back at once.
 */
export function notifierClientOptions(apiUrl?: string): WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    timeout: CHAT_REQUEST_TIMEOUT_MS,
    retryConfig: {
      retries: CHAT_REQUEST_TRIES - 1,
      factor: 1,
      minTimeout: CHAT_RETRY_PAUSE_MS,
      maxTimeout: CHAT_RETRY_PAUSE_MS,
      randomize: false,
    },
    rejectRateLimitedCalls: true,
  };
}

/** The notifier a worker uses when Slack is configured: a bot-token WebClient to Slack (or SLACK_API_URL). */
export function createSlackNotifier(db: Db, slack: { botToken: string; apiUrl?: string }): SlackNotifier {
  return new SlackNotifier({ db, client: new WebClient(slack.botToken, notifierClientOptions(slack.apiUrl)) });
}
