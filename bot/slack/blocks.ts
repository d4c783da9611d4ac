/**
 * Renders the channel-neutral message model (bot/core/message.ts) as Slack
 * Block Kit: messages as blocks, forms as modals, the Home tab, and the way
 * back — button values, a modal's private metadata and its submitted state —
 * decoded and validated, since anything Slack returns may have been tampered
 * with. Pure: no I/O, no Bolt app.
 *
 * Block Kit's limits are kept here, so no caller can trip them: text is cut
 * with '…', long lists are split or capped, and sections that do not fit are
 * dropped and counted in a context line ("3 more not shown").
 */
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HomeView,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { z } from 'zod';
import { actionRefShape, formContextSchema as formContextSchemaFor, parseJson, refData } from '../core/references';
import {
  ACTION_IDS,
  type ActionId,
  type ActionRef,
  type ChatForm,
  type ChatMessage,
  type Fact,
  type FieldOption,
  type FieldProblem,
  type FormContext,
  type FormField,
  type FormValues,
  type MessageAction,
  type MessageSection,
} from '../core/message';

// ─── Slack's limits ───────────────────────────────────────────────────────────

export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  fallbackText: 3000,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextText: 3000,
  actionsPerBlock: 25,
  buttonText: 75,
  actionValue: 2000,
  viewTitle: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputLength: 3000,
  selectOptions: 100,
  radioOptions: 10,
  optionText: 75,
  optionValue: 150,
  errorText: 300,
} as const;

const DEFAULT_VIEW_TITLE = 'Mutual aid';
const INPUT_ACTION_ID = 'value';

// ─── Text ─────────────────────────────────────────────────────────────────────

/** Cuts `text` to at most `max` characters, ending with '…' when cut (never splitting a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Escaped and cut to `max`, without leaving half an entity (`&am…`) at the cut. */
function safeMrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const cut = truncate(escaped, max).slice(0, -1);
  return `${cut.replace(/&[a-z]{0,3}$/, '')}…`;
}

const plain = (text: string, max: number): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text.trim() === '' ? ' ' : text, max),
  emoji: true,
});

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

// ─── Button values ────────────────────────────────────────────────────────────

/** Every action_id this module gives a button, for `app.action(ACTION_ID_PATTERN, …)`. */
export const ACTION_ID_PATTERN = new RegExp(`^(${ACTION_IDS.join('|')}):\\d+$`);

const actionValueSchema = z.object({ a: z.enum(ACTION_IDS), ...actionRefShape });

/** Slack channel ids and message timestamps. */
const formContextSchema = formContextSchemaFor(
  z
    .string()
    .max(40)
    .regex(/^[A-Z0-9.]+$/i),
  40,
);

/** A button's `value`: compact JSON `{"a":"APPROVE","caseRef":…}`. Throws if Slack would refuse it. */
export function encodeActionValue(action: Pick<MessageAction, 'action' | 'ref'>): string {
  const value = JSON.stringify({ a: action.action, ...refData(action.ref) });
  if (value.length > SLACK_LIMITS.actionValue) {
    throw new Error(
      `Button value for ${action.action} is ${value.length} characters; Slack allows ${SLACK_LIMITS.actionValue}`,
    );
  }
  return value;
}

/** A clicked button's value, validated; undefined for anything malformed or tampered with. */
export function decodeActionValue(value: string): { action: ActionId; ref: ActionRef } | undefined {
  const parsed = actionValueSchema.safeParse(parseJson(value, SLACK_LIMITS.actionValue));
  if (!parsed.success) return undefined;
  const { a, ...ref } = parsed.data;
  return { action: a, ref };
}

/** A modal's `private_metadata`: the form's context as compact JSON. Throws if Slack would refuse it. */
export function encodeFormContext(context: FormContext): string {
  const { card, openedFor } = context;
  const value = JSON.stringify({
    ...refData(context),
    card: card ? { channelId: card.channelId, messageRef: card.messageRef } : undefined,
    openedFor,
  });
  if (value.length > SLACK_LIMITS.privateMetadata) {
    throw new Error(`Form context is ${value.length} characters; Slack allows ${SLACK_LIMITS.privateMetadata}`);
  }
  return value;
}

/** A submitted modal's `private_metadata`, validated; undefined for anything malformed or tampered with. */
export function decodeFormContext(privateMetadata: string): FormContext | undefined {
  const parsed = formContextSchema.safeParse(parseJson(privateMetadata, SLACK_LIMITS.privateMetadata));
  return parsed.success ? parsed.data : undefined;
}

// ─── Messages ─────────────────────────────────────────────────────────────────

/** Hands out action_ids unique within one message: `APPROVE:0`, `REJECT:1`, … */
type ActionCounter = () => number;

const counter = (): ActionCounter => {
  let next = 0;
  return () => next++;
};

const TONE_PREFIX: Partial<Record<ChatMessage['tone'], string>> = {
  warning: ':warning: ',
  refusal: ':no_entry: ',
};

function headerBlock(title: string): KnownBlock {
  return { type: 'header', text: plain(title.trim() || DEFAULT_VIEW_TITLE, SLACK_LIMITS.headerText) };
}

function textSection(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

function factField(fact: Fact) {
  const label = `*${safeMrkdwn(fact.label, SLACK_LIMITS.fieldText / 4)}*`;
  const value = safeMrkdwn(fact.value, SLACK_LIMITS.fieldText - label.length - 1);
  return { type: 'mrkdwn' as const, text: `${label}\n${value}` };
}

/** Facts as section fields, ten to a section. */
function factSections(facts: readonly Fact[]): SectionBlock[] {
  return chunk(facts, SLACK_LIMITS.fieldsPerSection).map((group) => ({
    type: 'section',
    fields: group.map(factField),
  }));
}

function button(action: MessageAction, index: number): Button {
  return {
    type: 'button',
    action_id: `${action.action}:${index}`,
    text: plain(action.label, SLACK_LIMITS.buttonText),
    value: encodeActionValue(action),
    ...(action.style ? { style: action.style } : {}),
  };
}

/** Buttons, twenty-five to an actions block. */
function actionBlocks(actions: readonly MessageAction[], nextId: ActionCounter): ActionsBlock[] {
  const buttons = actions.map((action) => button(action, nextId()));
  return chunk(buttons, SLACK_LIMITS.actionsPerBlock).map((elements) => ({ type: 'actions', elements }));
}

function headBlocks(message: ChatMessage, nextId: ActionCounter): KnownBlock[] {
  const blocks: KnownBlock[] = [headerBlock(message.title)];
  if (message.body) {
    const prefix = TONE_PREFIX[message.tone] ?? '';
    blocks.push(textSection(prefix + safeMrkdwn(message.body, SLACK_LIMITS.sectionText - prefix.length)));
  }
  blocks.push(...factSections(message.facts), ...actionBlocks(message.actions, nextId));
  return blocks;
}

function sectionBlocks(section: MessageSection, nextId: ActionCounter): KnownBlock[] {
  const title = `*${safeMrkdwn(section.title, 200)}*`;
  const text = section.text
    ? `${title}\n${safeMrkdwn(section.text, SLACK_LIMITS.sectionText - title.length - 1)}`
    : title;
  return [
    { type: 'divider' },
    textSection(text),
    ...factSections(section.facts),
    ...actionBlocks(section.actions, nextId),
  ];
}

function contextBlock(lines: string[]): ContextBlock {
  return {
    type: 'context',
    elements: lines.map((line) => ({ type: 'mrkdwn', text: line })),
  };
}

const notShown = (count: number) => `${count} more not shown`;

/**
 * The message as blocks, at most `limit` of them. Sections that do not fit are
 * dropped from the end and counted; if the head alone is too long, its tail goes too.
 */
function renderBlocks(message: ChatMessage, limit: number): KnownBlock[] {
  const nextId = counter();
  const head = headBlocks(message, nextId);
  const sections = message.sections.map((section) => sectionBlocks(section, nextId));
  const footnote = message.footnote ? [safeMrkdwn(message.footnote, SLACK_LIMITS.contextText)] : [];

  const whole = [...head, ...sections.flat()];
  if (whole.length + (footnote.length > 0 ? 1 : 0) <= limit) {
    return footnote.length > 0 ? [...whole, contextBlock(footnote)] : whole;
  }

  // One block is kept for the context line that says what was left out.
  const room = limit - 1;
  if (head.length > room) {
    const dropped = sections.length > 0 ? [notShown(sections.length)] : [];
    return [...head.slice(0, room), contextBlock([...footnote, 'Some details not shown', ...dropped])];
  }
  const kept: KnownBlock[] = [...head];
  let shown = 0;
  for (const blocks of sections) {
    if (kept.length + blocks.length > room) break;
    kept.push(...blocks);
    shown += 1;
  }
  return [...kept, contextBlock([...footnote, notShown(sections.length - shown)])];
}

/** A message for chat.postMessage / chat.update / respond: fallback text and at most 50 blocks. */
export function messageBlocks(message: ChatMessage): { text: string; blocks: KnownBlock[] } {
  return {
    text: safeMrkdwn(message.text, SLACK_LIMITS.fallbackText),
    blocks: renderBlocks(message, SLACK_LIMITS.messageBlocks),
  };
}

/** A message shown in a modal (a result or refusal after a form): no submit button. */
export function messageView(message: ChatMessage, title: string = DEFAULT_VIEW_TITLE): ModalView {
  return {
    type: 'modal',
    title: plain(title, SLACK_LIMITS.viewTitle),
    close: plain('Close', SLACK_LIMITS.viewTitle),
    blocks: renderBlocks(message, SLACK_LIMITS.viewBlocks),
  };
}

/** The Home tab. */
export function homeView(message: ChatMessage): HomeView {
  return { type: 'home', blocks: renderBlocks(message, SLACK_LIMITS.viewBlocks) };
}

// ─── Forms ────────────────────────────────────────────────────────────────────

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function slackOption(option: FieldOption): PlainTextOption {
  return {
    text: plain(option.label, SLACK_LIMITS.optionText),
    value: option.value.slice(0, SLACK_LIMITS.optionValue),
  };
}

/** The first `max` options, and the one matching the field's initial value (if kept). */
function optionsOf(field: FormField, max: number) {
  const kept = (field.options ?? []).slice(0, max);
  const initial = kept.find((option) => option.value === field.initial);
  return {
    options: kept.map(slackOption),
    ...(initial ? { initial_option: slackOption(initial) } : {}),
  };
}

function textInput(field: FormField, multiline: boolean): InputBlockElement {
  const maxLength = field.maxLength ? Math.min(field.maxLength, SLACK_LIMITS.plainTextInputLength) : undefined;
  const initial = field.initial?.slice(0, maxLength ?? SLACK_LIMITS.plainTextInputLength);
  return {
    type: 'plain_text_input',
    action_id: INPUT_ACTION_ID,
    ...(multiline ? { multiline: true } : {}),
    ...(maxLength ? { max_length: maxLength } : {}),
    ...(initial ? { initial_value: initial } : {}),
  };
}

function numberInput(field: FormField): InputBlockElement {
  const initial = field.initial?.trim();
  const numeric = initial !== undefined && initial !== '' && Number.isFinite(Number(initial));
  return {
    type: 'number_input',
    action_id: INPUT_ACTION_ID,
    is_decimal_allowed: true,
    ...(numeric ? { initial_value: initial } : {}),
  };
}

function dateInput(field: FormField): InputBlockElement {
  const initial = field.initial && DATE_PATTERN.test(field.initial) ? field.initial : undefined;
  return { type: 'datepicker', action_id: INPUT_ACTION_ID, ...(initial ? { initial_date: initial } : {}) };
}

function fieldElement(field: FormField): InputBlockElement {
  switch (field.kind) {
    case 'text':
      return textInput(field, false);
    case 'multiline':
      return textInput(field, true);
    case 'number':
      return numberInput(field);
    case 'date':
      return dateInput(field);
    case 'select':
      return { type: 'static_select', action_id: INPUT_ACTION_ID, ...optionsOf(field, SLACK_LIMITS.selectOptions) };
    case 'radio':
      return { type: 'radio_buttons', action_id: INPUT_ACTION_ID, ...optionsOf(field, SLACK_LIMITS.radioOptions) };
  }
}

function inputBlock(field: FormField): InputBlock {
  return {
    type: 'input',
    block_id: field.id,
    optional: !field.required,
    label: plain(field.label, SLACK_LIMITS.inputLabel),
    ...(field.hint ? { hint: plain(field.hint, SLACK_LIMITS.inputHint) } : {}),
    element: fieldElement(field),
  };
}

/** A form as a modal: one input block per field (block_id = field id, action_id 'value'). */
export function formView(form: ChatForm): ModalView {
  const blocks: KnownBlock[] = [
    ...(form.intro ? [textSection(safeMrkdwn(form.intro, SLACK_LIMITS.sectionText))] : []),
    ...form.fields.map(inputBlock),
  ];
  if (blocks.length > SLACK_LIMITS.viewBlocks) {
    throw new Error(`Form ${form.id} has ${blocks.length} blocks; Slack allows ${SLACK_LIMITS.viewBlocks}`);
  }
  return {
    type: 'modal',
    callback_id: form.id,
    title: plain(form.title, SLACK_LIMITS.viewTitle),
    submit: plain(form.submitLabel, SLACK_LIMITS.viewTitle),
    close: plain('Cancel', SLACK_LIMITS.viewTitle),
    private_metadata: encodeFormContext(form.context),
    blocks,
  };
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What one input element holds, by its type; undefined when empty or unknown. */
function elementValue(element: unknown): string | undefined {
  if (typeof element !== 'object' || element === null) return undefined;
  const state = element as { type?: unknown; value?: unknown; selected_date?: unknown; selected_option?: unknown };
  switch (state.type) {
    case 'plain_text_input':
    case 'number_input':
      return optionalString(state.value);
    case 'datepicker':
      return optionalString(state.selected_date);
    case 'static_select':
    case 'radio_buttons': {
      const option = state.selected_option as { value?: unknown } | null | undefined;
      return optionalString(option?.value);
    }
    default:
      return undefined;
  }
}

/** A submitted modal's values by block id (= field id): every block id Slack sent. */
export function formValues(state: { values: Record<string, Record<string, unknown>> }): FormValues {
  const values: FormValues = {};
  for (const [blockId, elements] of Object.entries(state.values)) {
    values[blockId] = elementValue(elements[INPUT_ACTION_ID]);
  }
  return values;
}

/** The form's field a problem belongs on: itself, the part before its first '.', or else the first field. */
function blockFor(field: string, fieldIds: ReadonlySet<string>, fallback: string): string {
  if (fieldIds.has(field)) return field;
  const head = field.split('.')[0] ?? '';
  return fieldIds.has(head) ? head : fallback;
}

/**
 * Validation problems as `response_action: 'errors'` wants them: block id →
 * message. Problems on no field of the form land on the first field; several
 * on one field are joined with '; '.
 */
export function fieldErrors(errors: FieldProblem[], form: { fields: { id: string }[] }): Record<string, string> {
  const first = form.fields[0]?.id;
  if (first === undefined) return {};
  const fieldIds = new Set(form.fields.map((field) => field.id));
  const messages = new Map<string, string[]>();
  for (const problem of errors) {
    const block = blockFor(problem.field, fieldIds, first);
    const list = messages.get(block) ?? [];
    if (!list.includes(problem.message)) list.push(problem.message);
    messages.set(block, list);
  }
  return Object.fromEntries(
    [...messages].map(([block, list]) => [block, truncate(list.join('; '), SLACK_LIMITS.errorText)]),
  );
}
