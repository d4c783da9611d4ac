/**
 * Steps Teams tests repeat: find the card the bot sent to a conversation
 * about a case, find an `Action.Execute` on it, press it (an
 * `adaptiveCard/action` invoke) or submit a form card with answers, and read
 * the invoke's answer.
 */
import { expect } from 'vitest';
import type { FakeBotConnector, SentActivity } from './fake-bot-connector';
import type { TeamsConversation, TeamsUser } from './activities';
import type { TeamsEnv } from './teams-env';

export interface Execute {
  type: 'Action.Execute';
  verb: string;
  title: string;
  data: Record<string, unknown>;
}

/** Every Action.Execute anywhere in a card. */
export function executesIn(card: unknown): Execute[] {
  const found: Execute[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute') found.push(record as unknown as Execute);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

export function execute(card: unknown, verb: string, caseRef?: string): Execute {
  const match = executesIn(card).find(
    (action) => action.verb === verb && (caseRef === undefined || JSON.stringify(action.data).includes(caseRef)),
  );
  if (!match) {
    const seen = executesIn(card).map((a) => `${a.verb} ${JSON.stringify(a.data)}`);
    throw new Error(`No ${verb} action${caseRef ? ` for ${caseRef}` : ''}; actions: ${seen.join(' | ') || 'none'}`);
  }
  return match;
}

/** The card in a sent activity. */
export const cardOf = (activity: SentActivity | undefined): unknown => activity?.attachments?.[0]?.content;

/** Waits for a card sent to a conversation that mentions `needle`. */
export async function sentTo(
  fake: FakeBotConnector,
  conversation: TeamsConversation,
  needle: string,
  timeoutMs = 45_000,
) {
  const [activity] = await fake.waitForSent(
    (a) => a.type === 'message' && a.toConversationId === conversation.id && JSON.stringify(a).includes(needle),
    { timeoutMs },
  );
  return activity!;
}

export interface InvokeAnswer {
  status: number;
  /** The card the invoke answered with, when it answered with one. */
  card?: unknown;
  /** The message it answered with, when it answered with words. */
  text?: string;
}

/** Presses an Action.Execute as `from`, on a card in a conversation. */
export async function press(
  t: TeamsEnv,
  from: TeamsUser,
  conversation: TeamsConversation,
  action: { verb: string; data: Record<string, unknown> },
  replyToId: string,
  answers: Record<string, string | undefined> = {},
): Promise<InvokeAnswer> {
  const data = { ...action.data };
  for (const [key, value] of Object.entries(answers)) if (value !== undefined) data[key] = value;
  const response = await t.teams.post(
    t.activities.adaptiveCardAction({ verb: action.verb, data, replyToId, from, conversation }),
  );
  expect(response.status).toBe(200);
  const body = response.json as { statusCode?: number; type?: string; value?: unknown } | undefined;
  return body?.type === 'application/vnd.microsoft.card.adaptive'
    ? { status: response.status, card: body.value }
    : { status: response.status, text: typeof body?.value === 'string' ? body.value : undefined };
}

/** Submits a form card: its submit action, with answers by input id. */
export function submitForm(
  t: TeamsEnv,
  from: TeamsUser,
  conversation: TeamsConversation,
  form: unknown,
  replyToId: string,
  answers: Record<string, string | undefined>,
): Promise<InvokeAnswer> {
  const submit = executesIn(form).find((action) => action.verb.startsWith('SUBMIT:'));
  if (!submit) throw new Error('The card has no submit action');
  return press(t, from, conversation, submit, replyToId, answers);
}

export const textOf = (value: unknown): string => JSON.stringify(value);
