/**
 * Renders the channel-neutral message model (bot/core/message.ts) as Adaptive
 * Cards 1.5 for Microsoft Teams, with Universal Actions (`Action.Execute`):
 * messages as cards, forms as cards with inputs, and the way back — an
 * `adaptiveCard/action` invoke's verb and data — decoded and validated, since
 * anything Teams returns may have been tampered with. Pure: no I/O, no bot
 * framework; the card types are this module's own narrow interfaces.
 *
 * Teams' limits are kept here, so no caller can trip them: a card's JSON stays
 * within MAX_CARD_BYTES (trailing sections are dropped and counted in a line
 * "3 more not shown"), text is cut with '…', and buttons come at most six to a
 * row. Text is Adaptive Card markdown: single newlines are doubled so they
 * show, and `](` is broken up so text from a user cannot form a link.
 */
import { z } from 'zod';
import { actionRefSchema, formContextSchema as formContextSchemaFor, parseJson, refData } from '../core/references';
import {
  ACTION_IDS,
  FORM_IDS,
  type ActionId,
  type ActionRef,
  type ChatForm,
  type ChatMessage,
  type Fact,
  type FieldProblem,
  type FormContext,
  type FormField,
  type FormId,
  type FormValues,
  type MessageAction,
  type MessageSection,
} from '../core/message';

// ─── Card types ───────────────────────────────────────────────────────────────

export type TextColor = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';

export interface TextBlock {
  type: 'TextBlock';
  text: string;
  id?: string;
  wrap?: boolean;
  weight?: 'default' | 'lighter' | 'bolder';
  size?: 'small' | 'default' | 'medium' | 'large' | 'extraLarge';
  color?: TextColor;
  isSubtle?: boolean;
  style?: 'default' | 'heading';
  spacing?: 'none' | 'small' | 'default' | 'medium' | 'large';
}

export interface FactSet {
  type: 'FactSet';
  facts: { title: string; value: string }[];
}

export interface ExecuteAction {
  type: 'Action.Execute';
  verb: string;
  title: string;
  style?: 'default' | 'positive' | 'destructive';
  associatedInputs?: 'auto' | 'none';
  /** Returned with the click, merged with the inputs' values (by input id) when inputs are associated. */
  data: Record<string, string>;
}

export interface ActionSet {
  type: 'ActionSet';
  actions: ExecuteAction[];
}

export interface Container {
  type: 'Container';
  items: CardElement[];
  separator?: boolean;
}

interface InputBase {
  id: string;
  label: string;
  isRequired: boolean;
  /** Shown by the client when its own validation fails (a required input left empty). */
  errorMessage?: string;
}

export interface TextInput extends InputBase {
  type: 'Input.Text';
  value?: string;
  maxLength?: number;
  isMultiline?: boolean;
}

export interface NumberInput extends InputBase {
  type: 'Input.Number';
  value?: number;
}

export interface DateInput extends InputBase {
  type: 'Input.Date';
  value?: string;
}

export interface ChoiceSetInput extends InputBase {
  type: 'Input.ChoiceSet';
  style: 'compact' | 'expanded';
  choices: { title: string; value: string }[];
  value?: string;
}

export type CardInput = TextInput | NumberInput | DateInput | ChoiceSetInput;

export type CardElement = TextBlock | FactSet | Container | ActionSet | CardInput;

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.5';
  body: CardElement[];
  actions?: ExecuteAction[];
}

// ─── Teams' limits ────────────────────────────────────────────────────────────

/** The most a card's JSON may weigh, in UTF-8 bytes (Teams refuses messages over about 28 KB). */
export const MAX_CARD_BYTES = 28_000;

export const CARD_LIMITS = {
  /** Buttons in one row (an ActionSet or the card's own actions), for readability. */
  actionsPerSet: 6,
  title: 200,
  text: 3000,
  sectionTitle: 200,
  sectionText: 1000,
  factTitle: 100,
  factValue: 500,
  footnote: 500,
  actionTitle: 75,
  inputLabel: 200,
  inputHint: 500,
  choiceTitle: 150,
  errorText: 300,
  /** The longest value an input may hold, and the longest one readAction accepts back. */
  inputLength: 3000,
  /** The most values one submission may carry. */
  submittedValues: 100,
  formContext: 2000,
  verb: 100,
} as const;

export const FORM_VERB_PREFIX = 'SUBMIT:';
export const CANCEL_VERB = 'CANCEL_FORM';

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const DEFAULT_TITLE = 'Mutual aid';
const CONTEXT_KEY = 'context';

/** A card's size as Teams counts it: UTF-8 bytes of its JSON. */
export const cardBytes = (card: AdaptiveCard): number => Buffer.byteLength(JSON.stringify(card), 'utf8');

// ─── Text ─────────────────────────────────────────────────────────────────────

/** Cuts `text` to at most `max` characters, ending with '…' when cut (never splitting a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Text for a TextBlock or fact (Adaptive Card markdown), at most `max`
 * characters: line breaks kept visible, and no link can be formed.
 */
function markdown(text: string, max: number): string {
  const safe = text
    .replaceAll('](', '] (')
    .replace(/\r\n?/g, '\n')
    .replace(/\n+/g, (breaks) => (breaks.length === 1 ? '\n\n' : breaks));
  return truncate(safe.trim() === '' ? ' ' : safe, max);
}

/** Text shown as is (labels, button titles, choices): cut, never blank. */
const plain = (text: string, max: number): string => truncate(text.trim() === '' ? ' ' : text, max);

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

const card = (body: CardElement[], actions: ExecuteAction[] = []): AdaptiveCard => ({
  $schema: SCHEMA,
  type: 'AdaptiveCard',
  version: '1.5',
  body,
  ...(actions.length > 0 ? { actions } : {}),
});

const smallText = (text: string): TextBlock => ({
  type: 'TextBlock',
  text: markdown(text, CARD_LIMITS.footnote),
  wrap: true,
  isSubtle: true,
  size: 'small',
});

// ─── Action data and form contexts ────────────────────────────────────────────

/** Teams conversation and activity ids: `19:…@thread.tacv2;messageid=…`, `a:1…`, `f:…`, digits. */
const teamsId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w:@.;=-]+$/);

const formContextSchema = formContextSchemaFor(teamsId, 100);

/**
 * A form's context as compact JSON, for its actions' `data.context`. Throws if
 * it would not decode back (too long, or ids Teams would not give), since the
 * form could then never be submitted.
 */
export function encodeFormContext(context: FormContext): string {
  const { card: where, openedFor } = context;
  const value = JSON.stringify({
    ...refData(context),
    ...(where ? { card: { channelId: where.channelId, messageRef: where.messageRef } } : {}),
    ...(openedFor !== undefined ? { openedFor } : {}),
  });
  if (value.length > CARD_LIMITS.formContext) {
    throw new Error(`Form context is ${value.length} characters; at most ${CARD_LIMITS.formContext} are read back`);
  }
  if (decodeFormContext(value) === undefined) {
    throw new Error('Form context would not be read back: a reference or card id is malformed');
  }
  return value;
}

/** A submitted form's `data.context`, validated; undefined for anything malformed or tampered with. */
export function decodeFormContext(value: unknown): FormContext | undefined {
  const parsed = formContextSchema.safeParse(parseJson(value, CARD_LIMITS.formContext));
  return parsed.success ? parsed.data : undefined;
}

// ─── Messages ─────────────────────────────────────────────────────────────────

const TONE_COLOR: Partial<Record<ChatMessage['tone'], TextColor>> = {
  warning: 'warning',
  refusal: 'attention',
  success: 'good',
};

function executeAction(action: MessageAction): ExecuteAction {
  return {
    type: 'Action.Execute',
    verb: action.action,
    title: plain(action.label, CARD_LIMITS.actionTitle),
    ...(action.style === 'primary' ? { style: 'positive' as const } : {}),
    ...(action.style === 'danger' ? { style: 'destructive' as const } : {}),
    data: refData(action.ref),
  };
}

/** Buttons, six to an ActionSet. */
const actionSets = (actions: readonly MessageAction[]): ActionSet[] =>
  chunk(actions.map(executeAction), CARD_LIMITS.actionsPerSet).map((group) => ({ type: 'ActionSet', actions: group }));

function factSet(facts: readonly Fact[]): FactSet[] {
  if (facts.length === 0) return [];
  return [
    {
      type: 'FactSet',
      facts: facts.map((fact) => ({
        title: markdown(fact.label, CARD_LIMITS.factTitle),
        value: markdown(fact.value, CARD_LIMITS.factValue),
      })),
    },
  ];
}

function sectionContainer(section: MessageSection): Container {
  return {
    type: 'Container',
    separator: true,
    items: [
      { type: 'TextBlock', text: markdown(section.title, CARD_LIMITS.sectionTitle), weight: 'bolder', wrap: true },
      ...(section.text
        ? [{ type: 'TextBlock' as const, text: markdown(section.text, CARD_LIMITS.sectionText), wrap: true }]
        : []),
      ...factSet(section.facts),
      ...actionSets(section.actions),
    ],
  };
}

/**
 * The head of a message: title, body, facts, and its buttons — as the card's
 * own actions when they fit in one row, else as rows of six under the facts.
 */
function head(message: ChatMessage, facts: readonly Fact[], actions: readonly MessageAction[]) {
  const color = TONE_COLOR[message.tone];
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: plain(message.title.trim() === '' ? DEFAULT_TITLE : message.title, CARD_LIMITS.title),
      style: 'heading',
      weight: 'bolder',
      size: 'medium',
      wrap: true,
    },
  ];
  if (message.body) {
    body.push({
      type: 'TextBlock',
      text: markdown(message.body, CARD_LIMITS.text),
      wrap: true,
      ...(color ? { color } : {}),
    });
  }
  body.push(...factSet(facts));
  if (actions.length <= CARD_LIMITS.actionsPerSet) return { body, actions: actions.map(executeAction) };
  return { body: [...body, ...actionSets(actions)], actions: [] };
}

const notShown = (count: number) => `${count} more not shown`;

/**
 * A message as an Adaptive Card of at most MAX_CARD_BYTES. Sections that do
 * not fit are dropped from the end and counted; if the head alone is too big,
 * its trailing facts and then buttons go too ("Some details not shown").
 */
export function messageCard(message: ChatMessage): AdaptiveCard {
  const footnote = message.footnote ? [smallText(message.footnote)] : [];
  const top = head(message, message.facts, message.actions);
  const sections = message.sections.map(sectionContainer);

  const whole = card([...top.body, ...sections, ...footnote], top.actions);
  if (cardBytes(whole) <= MAX_CARD_BYTES) return whole;

  const tail = (hidden: number, extra: string[] = []) => [
    ...footnote,
    ...[...extra, ...(hidden > 0 ? [notShown(hidden)] : [])].map(smallText),
  ];

  // Each section adds its own JSON and one comma; the "not shown" line is sized for the most digits.
  let used = cardBytes(card([...top.body, ...tail(sections.length)], top.actions));
  let shown = 0;
  for (const section of sections) {
    const size = Buffer.byteLength(JSON.stringify(section), 'utf8') + 1;
    if (used + size > MAX_CARD_BYTES) break;
    used += size;
    shown += 1;
  }
  for (; shown >= 0; shown -= 1) {
    const candidate = card([...top.body, ...sections.slice(0, shown), ...tail(sections.length - shown)], top.actions);
    if (cardBytes(candidate) <= MAX_CARD_BYTES) return candidate;
  }

  // The head alone is too big: its trailing facts go first, then its trailing buttons.
  const hidden = sections.length;
  const fitting = (facts: number, actions: number) => {
    const partial = head(message, message.facts.slice(0, facts), message.actions.slice(0, actions));
    const candidate = card([...partial.body, ...tail(hidden, ['Some details not shown'])], partial.actions);
    return cardBytes(candidate) <= MAX_CARD_BYTES ? candidate : undefined;
  };
  for (let facts = message.facts.length; facts >= 0; facts -= 1) {
    const candidate = fitting(facts, message.actions.length);
    if (candidate) return candidate;
  }
  for (let actions = message.actions.length - 1; actions >= 0; actions -= 1) {
    const candidate = fitting(0, actions);
    if (candidate) return candidate;
  }
  throw new Error(`Message "${truncate(message.title, 40)}" does not fit in ${MAX_CARD_BYTES} bytes`);
}

/** The activity's plain `text`: notification previews, screen readers, clients without cards. */
export function cardText(message: ChatMessage): string {
  return message.text;
}

// ─── Forms ────────────────────────────────────────────────────────────────────

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The field a problem belongs on: itself, the part before its first '.', or else the first field. */
function fieldFor(problem: string, fieldIds: ReadonlySet<string>, fallback: string): string {
  if (fieldIds.has(problem)) return problem;
  const prefix = problem.split('.')[0] ?? '';
  return fieldIds.has(prefix) ? prefix : fallback;
}

/** Problems by the field they belong on, each message once. */
function problemsByField(errors: readonly FieldProblem[], fields: readonly FormField[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  const first = fields[0]?.id;
  if (first === undefined) return byField;
  const fieldIds = new Set(fields.map((field) => field.id));
  for (const problem of errors) {
    const id = fieldFor(problem.field, fieldIds, first);
    const list = byField.get(id) ?? [];
    if (!list.includes(problem.message)) list.push(problem.message);
    byField.set(id, list);
  }
  return byField;
}

function inputBase(field: FormField): InputBase {
  return {
    id: field.id,
    label: plain(field.label, CARD_LIMITS.inputLabel),
    isRequired: field.required,
    ...(field.required ? { errorMessage: 'Required' } : {}),
  };
}

function fieldInput(field: FormField, value: string | undefined): CardInput {
  const base = inputBase(field);
  switch (field.kind) {
    case 'text':
    case 'multiline': {
      const maxLength = Math.min(field.maxLength ?? CARD_LIMITS.inputLength, CARD_LIMITS.inputLength);
      const text = value?.slice(0, maxLength);
      return {
        type: 'Input.Text',
        ...base,
        ...(field.kind === 'multiline' ? { isMultiline: true } : {}),
        maxLength,
        ...(text ? { value: text } : {}),
      };
    }
    case 'number': {
      const trimmed = value?.trim();
      const number = trimmed ? Number(trimmed) : Number.NaN;
      return { type: 'Input.Number', ...base, ...(Number.isFinite(number) ? { value: number } : {}) };
    }
    case 'date':
      return { type: 'Input.Date', ...base, ...(value && DATE_PATTERN.test(value) ? { value } : {}) };
    case 'select':
    case 'radio': {
      const options = field.options ?? [];
      const chosen = options.some((option) => option.value === value) ? value : undefined;
      return {
        type: 'Input.ChoiceSet',
        ...base,
        style: field.kind === 'select' ? 'compact' : 'expanded',
        choices: options.map((option) => ({
          title: plain(option.label, CARD_LIMITS.choiceTitle),
          value: option.value,
        })),
        ...(chosen !== undefined ? { value: chosen } : {}),
      };
    }
  }
}

/** What an input shows: what was submitted, when the form comes back with it, else the field's initial value. */
function shownValue(field: FormField, values: FormValues | undefined): string | undefined {
  if (values && Object.hasOwn(values, field.id)) return values[field.id];
  return field.initial;
}

/**
 * A form as an Adaptive Card: one labelled input per field (id = field id).
 * After a refused submission, pass what was submitted and the problems: the
 * inputs are re-filled, each problem is shown in red right under its input
 * (Teams shows `errorMessage` only for its own checks), and a summary at the
 * top lists them all. Throws if a field is called `context` (that key carries
 * the form's context) or the card would be too big for Teams.
 */
export function formCard(form: ChatForm, options: { values?: FormValues; errors?: FieldProblem[] } = {}): AdaptiveCard {
  if (form.fields.some((field) => field.id === CONTEXT_KEY)) {
    throw new Error(`Form ${form.id} has a field called "${CONTEXT_KEY}", which would overwrite its context`);
  }
  const problems = problemsByField(options.errors ?? [], form.fields);
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: plain(form.title.trim() === '' ? DEFAULT_TITLE : form.title, CARD_LIMITS.title),
      style: 'heading',
      weight: 'bolder',
      size: 'medium',
      wrap: true,
    },
  ];
  if (problems.size > 0) {
    const lines = form.fields.flatMap((field) =>
      (problems.get(field.id) ?? []).map((problem) => `- ${field.label}: ${problem}`),
    );
    body.push({
      type: 'TextBlock',
      id: 'error-summary',
      text: markdown(['**There is a problem**', ...lines].join('\n'), CARD_LIMITS.text),
      color: 'attention',
      wrap: true,
    });
  }
  if (form.intro) body.push({ type: 'TextBlock', text: markdown(form.intro, CARD_LIMITS.text), wrap: true });

  for (const field of form.fields) {
    body.push(fieldInput(field, shownValue(field, options.values)));
    const messages = problems.get(field.id);
    if (messages) {
      body.push({
        type: 'TextBlock',
        id: `${field.id}-error`,
        text: markdown(messages.join('; '), CARD_LIMITS.errorText),
        color: 'attention',
        spacing: 'small',
        wrap: true,
      });
    }
    if (field.hint) {
      body.push({
        type: 'TextBlock',
        id: `${field.id}-hint`,
        text: markdown(field.hint, CARD_LIMITS.inputHint),
        isSubtle: true,
        size: 'small',
        spacing: 'small',
        wrap: true,
      });
    }
  }

  const data = { [CONTEXT_KEY]: encodeFormContext(form.context) };
  const rendered = card(body, [
    {
      type: 'Action.Execute',
      verb: FORM_VERB_PREFIX + form.id,
      title: plain(form.submitLabel, CARD_LIMITS.actionTitle),
      style: 'positive',
      associatedInputs: 'auto',
      data,
    },
    // No inputs go with Cancel, so the client's required-field checks cannot block it.
    { type: 'Action.Execute', verb: CANCEL_VERB, title: 'Cancel', associatedInputs: 'none', data: { ...data } },
  ]);
  const bytes = cardBytes(rendered);
  if (bytes > MAX_CARD_BYTES) {
    throw new Error(`Form ${form.id} is ${bytes} bytes as a card; Teams allows ${MAX_CARD_BYTES}`);
  }
  return rendered;
}

// ─── The way back ─────────────────────────────────────────────────────────────

export type CardActionRead =
  | { kind: 'action'; action: ActionId; ref: ActionRef }
  | { kind: 'submit'; form: FormId; context: FormContext; values: FormValues }
  | { kind: 'cancel' };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

/** A submission's values: every string-valued key but `context` ('' → undefined); undefined if oversize. */
function submittedValues(data: Record<string, unknown>): FormValues | undefined {
  const entries: [string, string | undefined][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === CONTEXT_KEY) continue;
    // Teams sends strings; a host that sends a number input's value as a number loses nothing.
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string') continue;
    if (text.length > CARD_LIMITS.inputLength) return undefined;
    entries.push([key, text === '' ? undefined : text]);
  }
  if (entries.length > CARD_LIMITS.submittedValues) return undefined;
  return Object.fromEntries(entries);
}

/**
 * An `adaptiveCard/action` invoke's `action.verb` and `action.data`, read
 * back: a button's action and reference, a form's submission (context and the
 * inputs Teams merged into `data`), or a cancel. Undefined for anything
 * malformed or tampered with; never throws.
 */
export function readAction(data: unknown, verb: string): CardActionRead | undefined {
  if (typeof verb !== 'string' || verb.length > CARD_LIMITS.verb) return undefined;
  if (verb === CANCEL_VERB) return { kind: 'cancel' };
  if (!isRecord(data)) return undefined;

  if (verb.startsWith(FORM_VERB_PREFIX)) {
    const form = verb.slice(FORM_VERB_PREFIX.length);
    if (!isOneOf(FORM_IDS, form)) return undefined;
    const context = decodeFormContext(data[CONTEXT_KEY]);
    const values = submittedValues(data);
    return context && values ? { kind: 'submit', form, context, values } : undefined;
  }

  if (!isOneOf(ACTION_IDS, verb)) return undefined;
  const ref = actionRefSchema.safeParse(data);
  return ref.success ? { kind: 'action', action: verb, ref: ref.data } : undefined;
}
