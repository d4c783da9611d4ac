/**
 * Steps Slack tests repeat: find the message the bot posted to a channel
 * about a case, find a button on it, click it as a user, open a modal from a
 * command, and submit a modal the bot opened with given answers.
 */
import { expect } from 'vitest';
import type { FakeSlack, RecordedCall } from './fake-slack';
import { stateValue, type SlackHttpResponse, type SlackRequester, type StateValues } from './signed-requests';

export interface Button {
  action_id: string;
  value: string;
  text: { text: string };
  block_id?: string;
}

type Block = { type: string; block_id?: string; elements?: unknown[]; accessory?: unknown; element?: unknown };

export function buttonsIn(blocks: unknown): Button[] {
  const found: Button[] = [];
  for (const block of (blocks as Block[] | undefined) ?? []) {
    for (const element of [...(block.elements ?? []), block.accessory]) {
      const button = element as Partial<Button> & { type?: string };
      if (button?.type === 'button' && button.action_id && button.value) found.push(button as Button);
    }
  }
  return found;
}

/** The first button for this action (and case, when given) in some blocks. */
export function button(blocks: unknown, action: string, caseRef?: string): Button {
  const match = buttonsIn(blocks).find(
    (b) => b.action_id.startsWith(`${action}:`) && (caseRef === undefined || b.value.includes(caseRef)),
  );
  if (!match) {
    const seen = buttonsIn(blocks).map((b) => `${b.action_id} ${b.value}`);
    throw new Error(`No ${action} button${caseRef ? ` for ${caseRef}` : ''}; buttons: ${seen.join(' | ') || 'none'}`);
  }
  return match;
}

/** Waits for the bot to post to a channel a message whose text or blocks mention `needle`. */
export async function postedTo(fake: FakeSlack, channel: string, needle: string, timeoutMs = 45_000) {
  const [call] = await fake.waitFor(
    (c) =>
      c.method === 'chat.postMessage' &&
      !c.rateLimited &&
      c.body.channel === channel &&
      JSON.stringify(c.body).includes(needle),
    { timeoutMs },
  );
  return call!;
}

/** Clicks a button on a posted message as `userId`. */
export function click(slack: SlackRequester, posted: RecordedCall, userId: string, b: Button, ts: string) {
  return slack.blockAction({
    userId,
    actionId: b.action_id,
    value: b.value,
    channelId: String(posted.body.channel),
    messageTs: ts,
    triggerId: `trigger-${Math.random().toString(36).slice(2)}`,
  });
}

/** The ts the fake gave a posted message. */
export function tsOf(posted: RecordedCall): string {
  const ts = posted.response?.ts;
  if (typeof ts === 'string') return ts;
  throw new Error('The fake did not record the ts of the posted message');
}

/** Waits for the modal the bot opened (views.open or views.push) with this callback id. */
export async function openedModal(fake: FakeSlack, callbackId: string, after = 0) {
  const calls = await fake.waitFor(
    (c) =>
      (c.method === 'views.open' || c.method === 'views.push') &&
      (c.body.view as { callback_id?: string } | undefined)?.callback_id === callbackId &&
      c.at >= after,
  );
  return calls[calls.length - 1]!.body.view as { callback_id: string; private_metadata: string; blocks: Block[] };
}

/** Submits a modal as Slack would, with answers by field id (dates and selects as strings). */
export function submitModal(
  slack: SlackRequester,
  userId: string,
  view: { callback_id: string; private_metadata: string; blocks: Block[] },
  answers: Record<string, string | undefined>,
  viewId = `V${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
): Promise<SlackHttpResponse> {
  const values: StateValues = {};
  for (const block of view.blocks) {
    if (block.type !== 'input' || !block.block_id) continue;
    const element = block.element as { type: string };
    const answer = answers[block.block_id];
    values[block.block_id] = {
      value:
        element.type === 'datepicker'
          ? stateValue.date(answer ?? null)
          : element.type === 'static_select'
            ? answer === undefined
              ? { type: 'static_select', selected_option: null }
              : stateValue.select(answer)
            : element.type === 'radio_buttons'
              ? answer === undefined
                ? { type: 'radio_buttons', selected_option: null }
                : stateValue.radio(answer)
              : { type: element.type, value: answer ?? null },
    };
  }
  return slack.viewSubmission({
    userId,
    callbackId: view.callback_id,
    privateMetadata: view.private_metadata,
    values,
    viewId,
  });
}

/** The ack body of a modal submission. */
export function ackOf(response: SlackHttpResponse): {
  response_action?: string;
  errors?: Record<string, string>;
  view?: { blocks: unknown[] };
} {
  expect(response.status).toBe(200);
  return response.json ?? {};
}

export const textOf = (value: unknown): string => JSON.stringify(value);
