/**
 * The Block Kit rendering of the message model, without Slack: limits kept
 * (blocks, fields, buttons, text lengths), button values and form contexts
 * round-tripped and tampered ones refused, submitted state read back, and
 * validation problems pinned to the right input.
 */
import type {
  ActionsBlock,
  AnyBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { describe, expect, it } from 'vitest';
import { message, type ChatForm, type MessageAction, type MessageSection } from '../../bot/core/message';
import {
  ACTION_ID_PATTERN,
  decodeActionValue,
  decodeFormContext,
  encodeActionValue,
  encodeFormContext,
  fieldErrors,
  formValues,
  formView,
  homeView,
  messageBlocks,
  messageView,
} from '../../bot/slack/blocks';

const CASE_REF = 'MA-7K3Q9XHM';
const ORG_ID = '3f1c2a4e-8b7d-4c1a-9e2f-5a6b7c8d9e0f';
const OFFER_ID = 'b2e4d6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const POSTING_ID = '0c9d8e7f-6a5b-4c3d-a2e1-f0a9b8c7d6e5';

const offerButton = (caseRef = CASE_REF): MessageAction => ({
  action: 'OFFER_TREATMENT',
  label: 'Offer treatment',
  style: 'primary',
  ref: { caseRef, organisationId: ORG_ID },
});

const caseSection = (n: number): MessageSection => ({
  title: `MA-${String(n).padStart(8, '0')}`,
  text: 'Trauma & orthopaedics, hip replacement',
  facts: [
    { label: 'Waiting', value: `${40 + n} weeks` },
    { label: 'Priority', value: 'P3' },
  ],
  actions: [offerButton(), { action: 'NOT_FOR_US', label: 'Not for us', ref: { caseRef: CASE_REF } }],
});

const ofType = <T extends KnownBlock>(blocks: AnyBlock[], type: T['type']): T[] =>
  blocks.filter((block): block is T => block.type === type);

const buttonsOf = (blocks: AnyBlock[]): Button[] =>
  ofType<ActionsBlock>(blocks, 'actions').flatMap((block) => block.elements as Button[]);

describe('messageBlocks', () => {
  it('renders title, body, facts, buttons, sections and footnote in order', () => {
    const rendered = messageBlocks(
      message({
        title: 'Patients waiting near you',
        body: 'Two cases match your posted capacity.',
        facts: [{ label: 'Specialty', value: '110 Trauma & orthopaedics' }],
        actions: [{ action: 'VIEW_CASE', label: 'View', ref: { caseRef: CASE_REF } }],
        sections: [caseSection(1)],
        footnote: 'Updated every morning',
      }),
    );
    expect(rendered.text).toBe('Patients waiting near you: Two cases match your posted capacity.');
    expect(rendered.blocks.map((block) => block.type)).toEqual([
      'header',
      'section',
      'section',
      'actions',
      'divider',
      'section',
      'section',
      'actions',
      'context',
    ]);
    const facts = rendered.blocks[2] as SectionBlock;
    expect(facts.fields).toEqual([{ type: 'mrkdwn', text: '*Specialty*\n110 Trauma &amp; orthopaedics' }]);
    const sectionTitle = rendered.blocks[5] as SectionBlock;
    expect(sectionTitle.text?.text).toBe('*MA-00000001*\nTrauma &amp; orthopaedics, hip replacement');
    const context = rendered.blocks[8] as ContextBlock;
    expect(context.elements).toEqual([{ type: 'mrkdwn', text: 'Updated every morning' }]);
  });

  it('escapes mrkdwn control characters in data but keeps backticks', () => {
    const rendered = messageBlocks(
      message({ title: 'Note', body: 'Type `/mutualaid help` <@U123> & see', tone: 'warning' }),
    );
    const body = rendered.blocks[1] as SectionBlock;
    expect(body.text?.text).toBe(':warning: Type `/mutualaid help` &lt;@U123&gt; &amp; see');
    expect(rendered.text).toBe('Note: Type `/mutualaid help` &lt;@U123&gt; &amp; see');
  });

  it('keeps a message with 40 sections within 50 blocks and says how many are not shown', () => {
    const sections = Array.from({ length: 40 }, (_, i) => caseSection(i + 1));
    const { blocks } = messageBlocks(
      message({ title: 'Daily digest', body: '40 cases', sections, footnote: 'Oldest first' }),
    );
    expect(blocks.length).toBeLessThanOrEqual(50);
    const shown = ofType(blocks, 'divider').length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(40);
    const context = blocks.at(-1) as ContextBlock;
    expect(context.type).toBe('context');
    expect(context.elements).toEqual([
      { type: 'mrkdwn', text: 'Oldest first' },
      { type: 'mrkdwn', text: `${40 - shown} more not shown` },
    ]);
    // Whole sections only: every divider is followed by its title, facts and buttons.
    expect(blocks.at(-2)?.type).toBe('actions');
  });

  it('allows up to 100 blocks on the Home tab and in modals', () => {
    const sections = Array.from({ length: 40 }, (_, i) => caseSection(i + 1));
    const home = homeView(message({ title: 'Home', sections }));
    expect(home.type).toBe('home');
    expect(home.blocks.length).toBeGreaterThan(50);
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    const modal = messageView(message({ title: 'Status', sections }));
    expect(modal.blocks.length).toBeLessThanOrEqual(100);
  });

  it('never exceeds 50 blocks even when the facts alone would', () => {
    const facts = Array.from({ length: 700 }, (_, i) => ({ label: `Fact ${i}`, value: String(i) }));
    const { blocks } = messageBlocks(message({ title: 'Too much', facts }));
    expect(blocks).toHaveLength(50);
    expect((blocks.at(-1) as ContextBlock).elements).toEqual([{ type: 'mrkdwn', text: 'Some details not shown' }]);
  });

  it('cuts a long title to 150 characters and long text to 3000', () => {
    const rendered = messageBlocks(
      message({ title: 'T'.repeat(400), body: 'b'.repeat(5000), text: 'x'.repeat(50_000) }),
    );
    const header = rendered.blocks[0] as HeaderBlock;
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith('…')).toBe(true);
    expect((rendered.blocks[1] as SectionBlock).text?.text).toHaveLength(3000);
    expect(rendered.text).toHaveLength(3000);
  });

  it('does not leave half an escaped entity where text is cut', () => {
    const rendered = messageBlocks(message({ title: 'Cut', body: `${'a'.repeat(2998)}&&&` }));
    const text = (rendered.blocks[1] as SectionBlock).text?.text ?? '';
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/a…$/);
  });

  it('splits more than ten facts into sections of ten fields', () => {
    const facts = Array.from({ length: 23 }, (_, i) => ({ label: `Fact ${i}`, value: 'v'.repeat(3000) }));
    const { blocks } = messageBlocks(message({ title: 'Facts', facts }));
    const withFields = ofType<SectionBlock>(blocks, 'section').filter((block) => block.fields);
    expect(withFields.map((block) => block.fields?.length)).toEqual([10, 10, 3]);
    for (const field of withFields.flatMap((block) => block.fields ?? [])) {
      expect(field.text.length).toBeLessThanOrEqual(2000);
    }
  });

  it('puts 30 buttons in actions blocks of at most 25 with unique action_ids', () => {
    const actions: MessageAction[] = Array.from({ length: 30 }, (_, i) => ({
      action: i % 2 === 0 ? 'APPROVE' : 'REJECT',
      label: `${i % 2 === 0 ? 'Approve' : 'Reject'} transfer ${i} ${'with a very long label '.repeat(5)}`,
      style: i % 2 === 0 ? 'primary' : 'danger',
      ref: { caseRef: CASE_REF, offerId: OFFER_ID, side: 'ORIGIN_RELEASE' },
    }));
    const sections = [caseSection(1), caseSection(2)];
    const { blocks } = messageBlocks(message({ title: 'Approvals', actions, sections }));
    const actionBlocks = ofType<ActionsBlock>(blocks, 'actions');
    for (const block of actionBlocks) expect(block.elements.length).toBeLessThanOrEqual(25);
    const buttons = buttonsOf(blocks);
    expect(buttons).toHaveLength(34);
    const ids = buttons.map((b) => b.action_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(ACTION_ID_PATTERN);
    for (const b of buttons) expect(b.text.text.length).toBeLessThanOrEqual(75);
    expect(buttons[0]).toMatchObject({ action_id: 'APPROVE:0', style: 'primary' });
    expect(buttons[1]).toMatchObject({ action_id: 'REJECT:1', style: 'danger' });
    expect(buttons[30]?.action_id).toBe('OFFER_TREATMENT:30');
  });
});

describe('button values', () => {
  it('round-trips an action and its reference', () => {
    const action: MessageAction = {
      action: 'APPROVE',
      label: 'Approve',
      ref: { caseRef: CASE_REF, organisationId: ORG_ID, offerId: OFFER_ID, side: 'RECEIVING_ACCEPTANCE' },
    };
    const value = encodeActionValue(action);
    expect(JSON.parse(value)).toEqual({ a: 'APPROVE', ...action.ref });
    expect(decodeActionValue(value)).toEqual({ action: 'APPROVE', ref: action.ref });
    expect(decodeActionValue(encodeActionValue({ action: 'EDIT_POSTING', ref: { postingId: POSTING_ID } }))).toEqual({
      action: 'EDIT_POSTING',
      ref: { postingId: POSTING_ID },
    });
    const request = { requestId: POSTING_ID, organisationId: ORG_ID };
    expect(decodeActionValue(encodeActionValue({ action: 'REQUEST_NOT_APPROPRIATE', ref: request }))).toEqual({
      action: 'REQUEST_NOT_APPROPRIATE',
      ref: request,
    });
  });

  it('decodes the value carried by a rendered button', () => {
    const { blocks } = messageBlocks(message({ title: 'Case', actions: [offerButton()] }));
    const [button] = buttonsOf(blocks);
    expect(decodeActionValue(button?.value ?? '')).toEqual({
      action: 'OFFER_TREATMENT',
      ref: { caseRef: CASE_REF, organisationId: ORG_ID },
    });
  });

  it('strips unknown keys', () => {
    const value = JSON.stringify({ a: 'VIEW_CASE', caseRef: CASE_REF, nhsNumber: '9434765919' });
    expect(decodeActionValue(value)).toEqual({ action: 'VIEW_CASE', ref: { caseRef: CASE_REF } });
  });

  it.each([
    ['a bad case ref', JSON.stringify({ a: 'VIEW_CASE', caseRef: 'MA-OOOOIIII' })],
    ['a case ref with extra text', JSON.stringify({ a: 'VIEW_CASE', caseRef: `${CASE_REF} ` })],
    ['an unknown action', JSON.stringify({ a: 'DELETE_EVERYTHING', caseRef: CASE_REF })],
    ['no action', JSON.stringify({ caseRef: CASE_REF })],
    ['a bad organisation id', JSON.stringify({ a: 'APPROVE', organisationId: 'not-a-uuid' })],
    ['an unknown side', JSON.stringify({ a: 'APPROVE', side: 'BOTH' })],
    ['non-JSON', 'OFFER_TREATMENT:MA-7K3Q9XHM'],
    ['JSON that is not an object', '"APPROVE"'],
    ['null', 'null'],
    ['an empty string', ''],
    ['an oversize value', JSON.stringify({ a: 'VIEW_CASE', caseRef: CASE_REF, pad: 'x'.repeat(2100) })],
  ])('refuses %s', (_name, value) => {
    expect(decodeActionValue(value)).toBeUndefined();
  });

  it('throws rather than render a value Slack would refuse', () => {
    const huge = { action: 'VIEW_CASE' as const, ref: { caseRef: 'x'.repeat(2100) } };
    expect(() => encodeActionValue(huge)).toThrow(/2000/);
  });

  it('matches every action_id the module makes, and nothing else', () => {
    expect(ACTION_ID_PATTERN.test('WITHDRAW_POSTING:12')).toBe(true);
    expect(ACTION_ID_PATTERN.test('WITHDRAW_POSTING')).toBe(false);
    expect(ACTION_ID_PATTERN.test('DROP_TABLE:1')).toBe(false);
    expect(ACTION_ID_PATTERN.test('value')).toBe(false);
  });
});

describe('form contexts', () => {
  const context = {
    caseRef: CASE_REF,
    organisationId: ORG_ID,
    card: { channelId: 'C0123ABCD', messageRef: '1712345678.000100' },
    openedFor: 'U0123ABCD',
  };

  it('round-trips through private_metadata', () => {
    expect(decodeFormContext(encodeFormContext(context))).toEqual(context);
    expect(decodeFormContext(encodeFormContext({}))).toEqual({});
  });

  it.each([
    ['a bad case ref', { ...context, caseRef: 'MA-123' }],
    ['a channel id with punctuation', { ...context, card: { channelId: 'C01/../x', messageRef: '1.2' } }],
    ['an overlong message ref', { ...context, card: { channelId: 'C0123', messageRef: '1'.repeat(41) } }],
    ['a card without a message', { ...context, card: { channelId: 'C0123' } }],
    ['an overlong openedFor', { ...context, openedFor: 'U'.repeat(41) }],
    ['a bad posting id', { ...context, postingId: '42' }],
  ])('refuses %s', (_name, tampered) => {
    expect(decodeFormContext(JSON.stringify(tampered))).toBeUndefined();
  });

  it('refuses non-JSON and oversize metadata', () => {
    expect(decodeFormContext('{caseRef:')).toBeUndefined();
    expect(decodeFormContext('')).toBeUndefined();
    expect(decodeFormContext(JSON.stringify({ caseRef: CASE_REF, pad: 'x'.repeat(3000) }))).toBeUndefined();
  });
});

describe('formView', () => {
  const form: ChatForm = {
    id: 'OFFER',
    title: 'Offer treatment to a waiting patient',
    submitLabel: 'Send the offer to the patient',
    intro: 'Offering for MA-7K3Q9XHM <hip>',
    context: { caseRef: CASE_REF, organisationId: ORG_ID, openedFor: 'U0123ABCD' },
    fields: [
      { id: 'clinicalTeam', label: 'Treating clinical team', kind: 'text', required: true, maxLength: 200 },
      { id: 'notes', label: 'Notes', kind: 'multiline', required: false, hint: 'Seen by the patient', initial: 'None' },
      { id: 'slots', label: 'Slots', kind: 'number', required: true, initial: '3' },
      { id: 'proposedDate', label: 'Proposed date', kind: 'date', required: true, initial: '2025-03-14' },
      {
        id: 'siteId',
        label: 'Site',
        kind: 'select',
        required: true,
        options: Array.from({ length: 120 }, (_, i) => ({ value: `site-${i}`, label: `Site ${i} ${'x'.repeat(100)}` })),
        initial: 'site-7',
      },
      {
        id: 'needsCriticalCare',
        label: 'Needs critical care',
        kind: 'radio',
        required: true,
        options: [
          { value: 'no', label: 'No' },
          { value: 'yes', label: 'Yes' },
        ],
        initial: 'yes',
      },
    ],
  };

  it('is a modal for the form with its context in private_metadata', () => {
    const view = formView(form);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'OFFER',
      close: { type: 'plain_text', text: 'Cancel' },
    });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.submit?.text.length).toBeLessThanOrEqual(24);
    expect(decodeFormContext(view.private_metadata ?? '')).toEqual(form.context);
    expect(view.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Offering for MA-7K3Q9XHM &lt;hip&gt;' },
    });
  });

  it('has one input per field with the right element and initial value', () => {
    const inputs = ofType<InputBlock>(formView(form).blocks, 'input');
    expect(inputs.map((input) => [input.block_id, input.optional, input.element.type])).toEqual([
      ['clinicalTeam', false, 'plain_text_input'],
      ['notes', true, 'plain_text_input'],
      ['slots', false, 'number_input'],
      ['proposedDate', false, 'datepicker'],
      ['siteId', false, 'static_select'],
      ['needsCriticalCare', false, 'radio_buttons'],
    ]);
    for (const input of inputs) expect(input.element.action_id).toBe('value');
    const [team, notes, slots, date, site, critical] = inputs;
    expect(team?.element).toEqual({ type: 'plain_text_input', action_id: 'value', max_length: 200 });
    expect(notes?.element).toMatchObject({ multiline: true, initial_value: 'None' });
    expect(notes?.hint).toMatchObject({ type: 'plain_text', text: 'Seen by the patient' });
    expect(slots?.element).toMatchObject({ is_decimal_allowed: true, initial_value: '3' });
    expect(date?.element).toMatchObject({ initial_date: '2025-03-14' });
    const select = site?.element as { options: { text: { text: string }; value: string }[]; initial_option?: unknown };
    expect(select.options).toHaveLength(100);
    for (const option of select.options) expect(option.text.text.length).toBeLessThanOrEqual(75);
    expect(select.initial_option).toEqual(select.options[7]);
    expect(critical?.element).toMatchObject({ initial_option: { value: 'yes', text: { text: 'Yes' } } });
  });

  it('leaves out initial values the element cannot take', () => {
    const view = formView({
      ...form,
      intro: undefined,
      fields: [
        { id: 'slots', label: 'Slots', kind: 'number', required: true, initial: 'three' },
        { id: 'from', label: 'From', kind: 'date', required: true, initial: '14/03/2025' },
        {
          id: 'choice',
          label: 'Choice',
          kind: 'radio',
          required: true,
          options: [{ value: 'a', label: 'A' }],
          initial: 'z',
        },
      ],
    });
    const elements = ofType<InputBlock>(view.blocks, 'input').map((input) => input.element);
    expect(elements[0]).not.toHaveProperty('initial_value');
    expect(elements[1]).not.toHaveProperty('initial_date');
    expect(elements[2]).not.toHaveProperty('initial_option');
  });

  it('keeps at most 10 radio options', () => {
    const options = Array.from({ length: 14 }, (_, i) => ({ value: String(i), label: `Option ${i}` }));
    const view = formView({ ...form, fields: [{ id: 'pick', label: 'Pick', kind: 'radio', required: true, options }] });
    const [input] = ofType<InputBlock>(view.blocks, 'input');
    expect((input?.element as { options: unknown[] }).options).toHaveLength(10);
  });

  it('refuses a form with more than 100 blocks', () => {
    const fields = Array.from({ length: 101 }, (_, i) => ({
      id: `f${i}`,
      label: `Field ${i}`,
      kind: 'text' as const,
      required: false,
    }));
    expect(() => formView({ ...form, intro: undefined, fields })).toThrow(/100/);
  });
});

describe('formValues', () => {
  it('reads each element type, and every block id sent', () => {
    const values = formValues({
      values: {
        clinicalTeam: { value: { type: 'plain_text_input', value: 'Orthopaedics B' } },
        notes: { value: { type: 'plain_text_input', value: null } },
        slots: { value: { type: 'number_input', value: '2.5' } },
        proposedDate: { value: { type: 'datepicker', selected_date: '2025-03-14' } },
        rttClockStart: { value: { type: 'datepicker', selected_date: null } },
        siteId: { value: { type: 'static_select', selected_option: { text: { text: 'Site' }, value: ORG_ID } } },
        careType: { value: { type: 'static_select', selected_option: null } },
        choice: { value: { type: 'radio_buttons', selected_option: { text: { text: 'Yes' }, value: 'yes' } } },
        who: { value: { type: 'users_select', selected_user: 'U1' } },
        stray: { other: { type: 'plain_text_input', value: 'ignored' } },
      },
    });
    expect(values).toEqual({
      clinicalTeam: 'Orthopaedics B',
      notes: undefined,
      slots: '2.5',
      proposedDate: '2025-03-14',
      rttClockStart: undefined,
      siteId: ORG_ID,
      careType: undefined,
      choice: 'yes',
      who: undefined,
      stray: undefined,
    });
    expect(Object.keys(values)).toHaveLength(10);
  });
});

describe('fieldErrors', () => {
  const form = { fields: [{ id: 'siteId' }, { id: 'postcode' }, { id: 'bmi' }] };

  it('puts each problem on its field', () => {
    expect(
      fieldErrors(
        [
          { field: 'bmi', message: 'BMI must be between 10 and 80' },
          { field: 'siteId', message: 'Choose one of your organisation’s sites' },
        ],
        form,
      ),
    ).toEqual({ bmi: 'BMI must be between 10 and 80', siteId: 'Choose one of your organisation’s sites' });
  });

  it('puts a nested field on its parent and unknown fields on the first field, joining messages', () => {
    expect(
      fieldErrors(
        [
          { field: 'postcode.outcode', message: 'Postcode district is not known' },
          { field: '(input)', message: 'The form could not be read' },
          { field: 'maxTravelMiles', message: 'Travel distance is required' },
          { field: 'postcode', message: 'Postcode is required' },
        ],
        form,
      ),
    ).toEqual({
      siteId: 'The form could not be read; Travel distance is required',
      postcode: 'Postcode district is not known; Postcode is required',
    });
  });

  it('keeps each error within 300 characters', () => {
    const errors = fieldErrors(
      [
        { field: 'bmi', message: 'm'.repeat(250) },
        { field: 'bmi', message: 'n'.repeat(250) },
      ],
      form,
    );
    expect(errors.bmi).toHaveLength(300);
    expect(errors.bmi?.endsWith('…')).toBe(true);
  });
});

describe('messageView', () => {
  it('shows a message in a modal with no submit', () => {
    const view = messageView(
      message({ title: 'Offer sent', body: 'The patient’s team has been told.', tone: 'success' }),
    );
    expect(view).toMatchObject({ type: 'modal', title: { text: 'Mutual aid' }, close: { text: 'Close' } });
    expect(view.submit).toBeUndefined();
    expect(view.blocks.map((block) => block.type)).toEqual(['header', 'section']);
    expect(messageView(message({ title: 'x' }), 'A title longer than twenty-four').title.text).toHaveLength(24);
  });
});
