/**
 * How Bot Connector failures read for delivery: the HTTP status (and the
 * connector's error code when it gives one), and whether the message can
 * never be sent there. 403 (the bot was removed, or blocked by the user) and
 * 404 (the conversation is gone) are for good, as is 400 (a card Teams will
 * not take); 401, 408, 429 and 5xx, and lost connections, are worth retrying,
 * as is a send the notifier stopped waiting for (`request_timeout`: an
 * AbortError from its per-request timeout or its send budget).
 */
import type { SendErrors } from '../core/deliver-once';

interface ConnectorError {
  name?: unknown;
  statusCode?: unknown;
  code?: unknown;
  body?: { error?: { code?: unknown } };
}

const asConnectorError = (error: unknown): ConnectorError => (typeof error === 'object' && error !== null ? error : {});

const statusOf = (error: unknown): number | undefined => {
  const status = asConnectorError(error).statusCode;
  return typeof status === 'number' ? status : undefined;
};

export const TEAMS_SEND_ERRORS: SendErrors = {
  code(error) {
    const status = statusOf(error);
    const connectorCode = asConnectorError(error).body?.error?.code;
    if (status !== undefined) return `HTTP ${status}${typeof connectorCode === 'string' ? ` ${connectorCode}` : ''}`;
    const { code, name } = asConnectorError(error);
    if (typeof code === 'string') return code;
    return name === 'AbortError' || name === 'TimeoutError' ? 'request_timeout' : 'unknown';
  },
  permanent(error) {
    const status = statusOf(error);
    return status === 400 || status === 403 || status === 404;
  },
};
