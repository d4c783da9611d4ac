/**
 * How long one attempt of a workflow step (an activity) may run before
 * Temporal abandons it and starts another, and the limits of the chat sends
 * derived from it: here, free of Temporal imports, so that the workflows,
 * the notify activity and the chat senders all read the same numbers.
 *
 * Temporal abandons a notify attempt that runs past its timeout but does
 * not stop it (the step does not heartbeat): a Slack post or Teams send
 * still in flight, or waiting to be retried by the client library, would
 * post when it finally went through, after the retry had posted the same
 * message. So every request, with every retry and pause the client makes on
 * its own, ends well within the attempt:
 *
 *   step timeout 30 s
 *   └ send window 25 s: every send of the attempt has ended by then (5 s kept back)
 *     └ one target's send 12 s at most (two fit in a window, even at their slowest)
 *       └ each HTTP request 5.75 s at most: Slack's WebClient tries twice, 0.5 s
 *         apart; the Bot Connector client's own retries and Retry-After waits are
 *         cut off at the send's 12 s (a request it timed out it does not retry)
 *
 * A send the window has no room left for is not started: it waits for the
 * next attempt, which skips the targets already delivered to.
 *
 * What this cannot prevent: a post the platform accepted whose answer never
 * arrived (the connection dropped, or the answer came after the client gave
 * up). The sender cannot tell it from a post that never arrived, and the retry
 * posts again. Neither Slack's chat.postMessage nor the Bot Connector takes an
 * idempotency key, so that case can still show a message twice; what is
 * guaranteed is that nothing we have given up on posts later.
 */

/** The start-to-close timeout of every step (`STEP_ACTIVITY_OPTIONS`), the notify step's included. */
export const STEP_START_TO_CLOSE_MS = 30_000;

/**
 * Kept back from every notify attempt: for recording the deliveries after the last send (a send recorded
 * after the attempt was abandoned is one its retry may already have repeated), and for the few hundred
 * milliseconds between the Temporal server starting the attempt's clock and the worker starting the attempt.
 */
export const NOTIFY_CLOSE_MARGIN_MS = 5_000;

/** How long all the chat sends of one notify attempt may take together, from the attempt's start. */
export const NOTIFY_SEND_WINDOW_MS = STEP_START_TO_CLOSE_MS - NOTIFY_CLOSE_MARGIN_MS;

/** Sends that fit in one attempt even if each takes its whole budget: say a Slack channel and a Teams conversation. */
export const CHAT_SENDS_PER_ATTEMPT = 2;

/** Left in the send window for the database reads and writes around the sends. */
const AROUND_SENDS_MS = 1_000;

/**
 * One send to one target (a Slack channel, a Teams conversation), start to finish: every HTTP try, the
 * pauses between them and any Retry-After the client waits out.
 */
export const CHAT_SEND_BUDGET_MS = Math.floor((NOTIFY_SEND_WINDOW_MS - AROUND_SENDS_MS) / CHAT_SENDS_PER_ATTEMPT);

/** HTTP tries per send: one more after a lost connection, a timeout or a server error. */
export const CHAT_REQUEST_TRIES = 2;

/** Pause before the second try. */
export const CHAT_RETRY_PAUSE_MS = 500;

/**
 * How long one HTTP request may wait for its answer: the send budget shared among the tries. Slack and
 * the Bot Connector answer in well under a second when they are well.
 */
export const CHAT_REQUEST_TIMEOUT_MS = Math.floor(
  (CHAT_SEND_BUDGET_MS - (CHAT_REQUEST_TRIES - 1) * CHAT_RETRY_PAUSE_MS) / CHAT_REQUEST_TRIES,
);

/**
 * When the chat sends of a notify attempt must have ended (epoch ms): its start, plus its start-to-close
 * timeout as Temporal gave it, less the margin.
 */
export function sendDeadline(startToCloseTimeoutMs: number, startedAt: number = Date.now()): number {
  return startedAt + startToCloseTimeoutMs - NOTIFY_CLOSE_MARGIN_MS;
}

/** True when a send started now could run past `sendBy`, so should wait for the next attempt. */
export function tooLateToSend(sendBy: number | undefined, now: number = Date.now()): boolean {
  return sendBy !== undefined && now + CHAT_SEND_BUDGET_MS > sendBy;
}
