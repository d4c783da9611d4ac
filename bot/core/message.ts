/**
 * The channel-neutral message model every front end renders: a message has a
 * title, a sentence, labelled facts, buttons and (for digests) one section per
 * case; a form has typed fields. Slack renders these as Block Kit, Teams as
 * Adaptive Cards; only rendering and transport differ.
 *
 * Nothing in this model may carry a patient identifier: messages are built
 * from case references, codes and bands only (bot/core/case-card.ts).
 */
import type { ApprovalSide } from '../../domain/journey-states';

/** Every button the bot shows. The id travels with the click; the reference says what it is about. */
export const ACTION_IDS = [
  'OFFER_TREATMENT',
  'NOT_FOR_US',
  'WITHDRAW_OFFER',
  'APPROVE',
  'REJECT',
  'VIEW_CASE',
  'RECORD_CHOICE',
  'EDIT_POSTING',
  'WITHDRAW_POSTING',
  'REQUEST_APPROPRIATE',
  'REQUEST_NOT_APPROPRIATE',
] as const;
export type ActionId = (typeof ACTION_IDS)[number];

/** What a button is about: references only, never an identifier. */
export interface ActionRef {
  caseRef?: string;
  /** The organisation the clicker acts for (the audience the card was sent to). */
  organisationId?: string;
  offerId?: string;
  side?: ApprovalSide;
  postingId?: string;
  /** A patient-initiated request. */
  requestId?: string;
}

export interface MessageAction {
  action: ActionId;
  label: string;
  style?: 'primary' | 'danger';
  ref: ActionRef;
}

export interface Fact {
  label: string;
  value: string;
}

export interface MessageSection {
  title: string;
  text?: string;
  facts: Fact[];
  actions: MessageAction[];
}

export type Tone = 'info' | 'success' | 'warning' | 'refusal';

export interface ChatMessage {
  /** The whole message as plain text: notification previews, screen readers, clients without cards. */
  text: string;
  title: string;
  body?: string;
  facts: Fact[];
  actions: MessageAction[];
  /** A digest's cases, or a status's offers: each with its own facts and buttons. */
  sections: MessageSection[];
  /** Sections left out to keep within a platform's limits, said in words. */
  footnote?: string;
  tone: Tone;
}

export function message(parts: Partial<ChatMessage> & Pick<ChatMessage, 'title'>): ChatMessage {
  const body = parts.body;
  return {
    text: parts.text ?? (body ? `${parts.title}: ${body}` : parts.title),
    title: parts.title,
    body,
    facts: parts.facts ?? [],
    actions: parts.actions ?? [],
    sections: parts.sections ?? [],
    footnote: parts.footnote,
    tone: parts.tone ?? 'info',
  };
}

export const refusalMessage = (text: string): ChatMessage =>
  message({ title: 'Not done', body: text, tone: 'refusal', text });

// ─── Forms ────────────────────────────────────────────────────────────────────

export const FORM_IDS = [
  'OFFER',
  'REJECT_TRANSFER',
  'RECORD_CHOICE',
  'WITHDRAW_CASE',
  'LIST_PATIENT',
  'POST_CAPACITY',
  'EDIT_CAPACITY',
] as const;
export type FormId = (typeof FORM_IDS)[number];

export interface FieldOption {
  value: string;
  label: string;
}

export interface FormField {
  /** The name the handler reads, and the field a validation error names. */
  id: string;
  label: string;
  kind: 'text' | 'multiline' | 'date' | 'number' | 'select' | 'radio';
  required: boolean;
  options?: FieldOption[];
  initial?: string;
  hint?: string;
  maxLength?: number;
}

/** What a submitted form is about, carried with the form and returned on submit (references only). */
export interface FormContext extends ActionRef {
  /** Where the card that opened the form lives, so it can be refreshed in place. */
  card?: { channelId: string; messageRef: string };
  /** Who the form was opened for: a submission from anyone else is refused. */
  openedFor?: string;
}

export interface ChatForm {
  id: FormId;
  title: string;
  submitLabel: string;
  intro?: string;
  fields: FormField[];
  context: FormContext;
}

export type FormValues = Record<string, string | undefined>;

export interface FieldProblem {
  field: string;
  message: string;
}
