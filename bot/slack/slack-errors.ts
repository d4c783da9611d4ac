/**
 * How Slack's Web API failures read for delivery: the error code Slack gave
 * (`channel_not_found`), and whether it means the message can never be
 * posted there. Rate limits, server errors and lost connections are worth
 * retrying; a channel that is gone, a bot that is not in it or was removed,
 * a revoked token or a message Slack will not accept are not. A request the
 * client gave up waiting for (`request_timeout`) is retried like a lost
 * connection; a 429 is retried after its Retry-After.
 */
import { ErrorCode, type WebAPICallError } from '@slack/web-api';
import type { SendErrors } from '../core/deliver-once';

/** Slack's own error codes that no retry will change (https://api.slack.com/methods/chat.postMessage#errors). */
const PERMANENT_PLATFORM_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_authed',
  'team_access_not_granted',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'msg_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'too_many_attachments',
  'ekm_access_denied',
]);

type SlackErrorFields = Partial<WebAPICallError> & {
  data?: { error?: unknown };
  statusCode?: number;
  original?: { name?: unknown };
  retryAfter?: unknown;
};

const slackError = (error: unknown): SlackErrorFields => (typeof error === 'object' && error !== null ? error : {});

/** The WebClient's `timeout` fired (fetch aborted by its AbortSignal.timeout), on the last of its tries. */
const timedOut = (e: SlackErrorFields): boolean =>
  e.code === ErrorCode.RequestError && (e.original?.name === 'TimeoutError' || e.original?.name === 'AbortError');

export const SLACK_SEND_ERRORS: SendErrors = {
  code(error) {
    const e = slackError(error);
    if (e.code === ErrorCode.PlatformError && typeof e.data?.error === 'string') return e.data.error;
    if (e.code === ErrorCode.HTTPError && typeof e.statusCode === 'number') return `HTTP ${e.statusCode}`;
    if (timedOut(e)) return 'request_timeout';
    return typeof e.code === 'string' ? e.code : 'unknown';
  },
  permanent(error) {
    const e = slackError(error);
    if (e.code === ErrorCode.PlatformError) {
      return typeof e.data?.error === 'string' && PERMANENT_PLATFORM_ERRORS.has(e.data.error);
    }
    // 4xx other than 429 (rate limited) and 408 (timeout): the request itself is refused.
    if (e.code === ErrorCode.HTTPError && typeof e.statusCode === 'number') {
      return e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 429 && e.statusCode !== 408;
    }
    return false;
  },
  retryAfterMs(error) {
    const e = slackError(error);
    return e.code === ErrorCode.RateLimitedError && typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined;
  },
};
