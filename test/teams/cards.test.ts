/**
 * The Adaptive Card rendering of the message model, without Teams: card
 * shape (schema 1.5, Universal Actions), Teams' size limit and text cuts,
 * form contexts and `adaptiveCard/action` data round-tripped and tampered ones
 * refused, and forms re-filled after a refused submission with each problem
 * shown under its input and in a summary.
 */
import { describe, expect, it } from 'vitest';
import {
  message,
  type ChatForm,
  type FormContext,
  type MessageAction,
  type MessageSection,
} from '../../bot/core/message';
import {
  CANCEL_VERB,
  CARD_LIMITS,
  FORM_VERB_PREFIX,
  MAX_CARD_BYTES,
  cardBytes,
  cardText,
  decodeFormContext,
  encodeFormContext,
  formCard,
  messageCard,
  readAction,
  truncate,
  type ActionSet,
  type AdaptiveCard,
  type CardElement,
  type CardInput,
  type Container,
  type ExecuteAction,
  type FactSet,
  type TextBlock,
} from '../../bot/teams/cards';

const CASE_REF = 'MA-7K3Q9XHM';
const ORG_ID = '3f1c2a4e-8b7d-4c1a-9e2f-5a6b7c8d9e0f';
const OFFER_ID = 'b2e4d6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b';
const POSTING_ID = '0c9d8e7f-6a5b-4c3d-a2e1-f0a9b8c7d6e5';
const TEAMS_CHANNEL = '19:3f1c2a4e8b7d4c1a9e2f5a6b7c8d9e0f@thread.tacv2;messageid=1700000000000';
const TEAMS_ACTIVITY = '1:1AbC-dEf_GhIjKlMnOpQrStUvWxYz0123456789';

const offerButton = (caseRef = CASE_REF): MessageAction => ({
  action: 'OFFER_TREATMENT',
  label: 'Offer treatment',
  style: 'primary',
  ref: { caseRef, organisationId: ORG_ID },
});

const caseSection = (n: number, text = 'Trauma & orthopaedics, hip replacement'): MessageSection => ({
  title: `MA-${String(n).padStart(8, '0')}`,
  text,
  facts: [
    { label: 'Waiting', value: `${40 + n} weeks` },
    { label: 'Priority', value: 'P3' },
  ],
  actions: [offerButton(), { action: 'NOT_FOR_US', label: 'Not for us', style: 'danger', ref: { caseRef: CASE_REF } }],
});

const textBlocks = (elements: CardElement[]): TextBlock[] =>
  elements.flatMap((element): TextBlock[] => {
    if (element.type === 'TextBlock') return [element];
    if (element.type === 'Container') return textBlocks(element.items);
    return [];
  });

const containers = (card: AdaptiveCard): Container[] =>
  card.body.filter((element): element is Container => element.type === 'Container');

const actionSets = (elements: CardElement[]): ActionSet[] =>
  elements.filter((element): element is ActionSet => element.type === 'ActionSet');

const inputs = (card: AdaptiveCard): CardInput[] =>
  card.body.filter((element): element is CardInput => element.type.startsWith('Input.'));

/** What Teams sends back for a click: the action's data, with the inputs' values merged in by id. */
const clicked = (action: ExecuteAction, inputValues: Record<string, string> = {}) => ({
  verb: action.verb,
  data: action.associatedInputs === 'auto' ? { ...action.data, ...inputValues } : { ...action.data },
});

describe('messageCard', () => {
  it('is an Adaptive Card 1.5 with title, toned body, facts, Action.Execute buttons, sections and footnote', () => {
    const card = messageCard(
      message({
        title: 'Patients waiting near you',
        body: 'Two cases match your posted capacity.',
        tone: 'warning',
        facts: [{ label: 'Specialty', value: '110 Trauma & orthopaedics' }],
        actions: [
          { action: 'VIEW_CASE', label: 'View', ref: { caseRef: CASE_REF } },
          {
            action: 'APPROVE',
            label: 'Approve',
            style: 'primary',
            ref: { caseRef: CASE_REF, side: 'ORIGIN_RELEASE', offerId: OFFER_ID },
          },
          { action: 'WITHDRAW_POSTING', label: 'Withdraw', style: 'danger', ref: { postingId: POSTING_ID } },
        ],
        sections: [caseSection(1)],
        footnote: 'Updated every morning',
      }),
    );

    expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(card.body.map((element) => element.type)).toEqual([
      'TextBlock',
      'TextBlock',
      'FactSet',
      'Container',
      'TextBlock',
    ]);
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'Patients waiting near you',
      weight: 'bolder',
      size: 'medium',
      wrap: true,
    });
    expect(card.body[1]).toMatchObject({ text: 'Two cases match your posted capacity.', color: 'warning', wrap: true });
    expect((card.body[2] as FactSet).facts).toEqual([{ title: 'Specialty', value: '110 Trauma & orthopaedics' }]);
    expect(card.body[4]).toMatchObject({ text: 'Updated every morning', isSubtle: true, size: 'small' });

    expect(card.actions).toEqual([
      { type: 'Action.Execute', verb: 'VIEW_CASE', title: 'View', data: { caseRef: CASE_REF } },
      {
        type: 'Action.Execute',
        verb: 'APPROVE',
        title: 'Approve',
        style: 'positive',
        data: { caseRef: CASE_REF, side: 'ORIGIN_RELEASE', offerId: OFFER_ID },
      },
      {
        type: 'Action.Execute',
        verb: 'WITHDRAW_POSTING',
        title: 'Withdraw',
        style: 'destructive',
        data: { postingId: POSTING_ID },
      },
    ]);

    const [section] = containers(card);
    expect(section?.separator).toBe(true);
    expect(section?.items.map((item) => item.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet', 'ActionSet']);
    expect(section?.items[0]).toMatchObject({ text: 'MA-00000001', weight: 'bolder' });
    expect(section?.items[1]).toMatchObject({ text: 'Trauma & orthopaedics, hip replacement' });
    const sectionButtons = actionSets(section?.items ?? []).flatMap((set) => set.actions);
    expect(sectionButtons.map((button) => [button.verb, button.style])).toEqual([
      ['OFFER_TREATMENT', 'positive'],
      ['NOT_FOR_US', 'destructive'],
    ]);
    expect(sectionButtons[0]?.data).toEqual({ caseRef: CASE_REF, organisationId: ORG_ID });
  });

  it('colours the body by tone, and leaves info uncoloured', () => {
    const colour = (tone: 'info' | 'success' | 'warning' | 'refusal') =>
      (messageCard(message({ title: 'T', body: 'B', tone })).body[1] as TextBlock).color;
    expect(colour('info')).toBeUndefined();
    expect(colour('success')).toBe('good');
    expect(colour('warning')).toBe('warning');
    expect(colour('refusal')).toBe('attention');
  });

  it('sends references only in button data: no unknown keys, no undefined values', () => {
    const ref = { caseRef: CASE_REF, offerId: undefined, nhsNumber: '9434765919' } as MessageAction['ref'];
    const card = messageCard(message({ title: 'T', actions: [{ action: 'VIEW_CASE', label: 'View', ref }] }));
    expect(card.actions?.[0]?.data).toStrictEqual({ caseRef: CASE_REF });
    expect(JSON.stringify(card)).not.toContain('9434765919');
  });

  it('puts at most six buttons in a row', () => {
    const buttons = (n: number): MessageAction[] =>
      Array.from({ length: n }, (_, i) => ({ action: 'VIEW_CASE', label: `View ${i}`, ref: { caseRef: CASE_REF } }));

    const six = messageCard(message({ title: 'Six', actions: buttons(6) }));
    expect(six.actions).toHaveLength(6);
    expect(actionSets(six.body)).toHaveLength(0);

    const card = messageCard(
      message({
        title: 'Many',
        facts: [{ label: 'A', value: 'B' }],
        actions: buttons(8),
        sections: [{ title: 'S', facts: [], actions: buttons(13) }],
      }),
    );
    expect(card.actions).toBeUndefined();
    expect(card.body.map((element) => element.type)).toEqual([
      'TextBlock',
      'FactSet',
      'ActionSet',
      'ActionSet',
      'Container',
    ]);
    expect(actionSets(card.body).map((set) => set.actions.length)).toEqual([6, 2]);
    expect(actionSets(containers(card)[0]?.items ?? []).map((set) => set.actions.length)).toEqual([6, 6, 1]);
    expect(
      actionSets(card.body)
        .flatMap((set) => set.actions)
        .map((button) => button.title),
    ).toEqual(buttons(8).map((button) => button.label));
  });

  it('keeps a card of 40 large sections under 28 KB, dropping trailing sections and saying how many', () => {
    const sections = Array.from({ length: 40 }, (_, i) => caseSection(i, `Notes ${i}: ${'x'.repeat(900)}`));
    const whole = message({ title: 'Digest', body: 'Forty cases', sections, footnote: 'Digest of today' });
    const card = messageCard(whole);

    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(MAX_CARD_BYTES).toBe(28_000);

    const shown = containers(card);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(40);
    // The leading sections, in order.
    expect(shown.map((section) => (section.items[0] as TextBlock).text)).toEqual(
      sections.slice(0, shown.length).map((section) => section.title),
    );
    const tail = card.body.slice(-2) as TextBlock[];
    expect(tail.map((block) => block.text)).toEqual(['Digest of today', `${40 - shown.length} more not shown`]);

    // As many as fit: one more would not.
    const oneMore = messageCard({ ...whole, sections: sections.slice(0, shown.length + 1) });
    expect(containers(oneMore).length).toBe(shown.length);
  });

  it('cuts facts, then buttons, when the head alone is too big', () => {
    const facts = Array.from({ length: 200 }, (_, i) => ({ label: `Fact ${i}`, value: 'v'.repeat(400) }));
    const card = messageCard(message({ title: 'Huge', facts, sections: [caseSection(1)] }));
    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    const shownFacts = card.body.filter((element): element is FactSet => element.type === 'FactSet')[0]?.facts ?? [];
    expect(shownFacts.length).toBeGreaterThan(0);
    expect(shownFacts.length).toBeLessThan(200);
    expect(textBlocks(card.body).map((block) => block.text)).toEqual(
      expect.arrayContaining(['Some details not shown', '1 more not shown']),
    );
  });

  it('cuts long texts and keeps line breaks visible without letting text form links', () => {
    const card = messageCard(
      message({
        title: 'T'.repeat(500),
        body: `Line one\nline two [click](https://example.invalid) ${'b'.repeat(5000)}`,
        facts: [{ label: 'L'.repeat(300), value: 'V'.repeat(2000) }],
      }),
    );
    const [title, body] = card.body as TextBlock[];
    expect(title?.text).toHaveLength(CARD_LIMITS.title);
    expect(title?.text.endsWith('…')).toBe(true);
    expect(body?.text).toHaveLength(CARD_LIMITS.text);
    expect(body?.text.startsWith('Line one\n\nline two [click] (https://example.invalid)')).toBe(true);
    const fact = (card.body[2] as FactSet).facts[0];
    expect(fact?.title).toHaveLength(CARD_LIMITS.factTitle);
    expect(fact?.value).toHaveLength(CARD_LIMITS.factValue);
  });

  it('gives the activity text as the plain text of the message', () => {
    const chat = message({ title: 'Offer made', body: 'Leeds offered 3 March.' });
    expect(cardText(chat)).toBe('Offer made: Leeds offered 3 March.');
    expect(cardText(chat)).toBe(chat.text);
  });
});

describe('truncate', () => {
  it('leaves short text alone and cuts long text with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('exactly10!', 10)).toBe('exactly10!');
    expect(truncate('a long sentence', 6)).toBe('a lon…');
    expect(truncate('a long sentence', 6)).toHaveLength(6);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('form contexts', () => {
  const context: FormContext = {
    caseRef: CASE_REF,
    organisationId: ORG_ID,
    offerId: OFFER_ID,
    side: 'RECEIVING_ACCEPTANCE',
    postingId: POSTING_ID,
    card: { channelId: TEAMS_CHANNEL, messageRef: TEAMS_ACTIVITY },
    openedFor: '29:1Xyz-AAD_user-id-0123456789abcdef',
  };

  it('round-trip, and only known keys travel', () => {
    expect(decodeFormContext(encodeFormContext(context))).toEqual(context);
    expect(decodeFormContext(encodeFormContext({}))).toEqual({});
    const extra = { ...context, nhsNumber: '9434765919' } as FormContext;
    expect(encodeFormContext(extra)).not.toContain('9434765919');
  });

  it('refuse tampered or malformed contexts', () => {
    const tampered = (change: Record<string, unknown>) => decodeFormContext(JSON.stringify({ ...context, ...change }));
    expect(tampered({ caseRef: 'MA-1234567I' })).toBeUndefined();
    expect(tampered({ organisationId: 'not-a-uuid' })).toBeUndefined();
    expect(tampered({ side: 'BOTH' })).toBeUndefined();
    expect(tampered({ card: { channelId: 'x'.repeat(201), messageRef: '1' } })).toBeUndefined();
    expect(tampered({ card: { channelId: '19:a b@thread', messageRef: '1' } })).toBeUndefined();
    expect(tampered({ card: { channelId: '19:a@thread', messageRef: '<script>' } })).toBeUndefined();
    expect(tampered({ openedFor: 'u'.repeat(101) })).toBeUndefined();
    expect(decodeFormContext(JSON.stringify({ caseRef: CASE_REF, pad: 'x'.repeat(3000) }))).toBeUndefined();
    expect(decodeFormContext('{caseRef:')).toBeUndefined();
    expect(decodeFormContext('')).toBeUndefined();
    expect(decodeFormContext('"MA-7K3Q9XHM"')).toBeUndefined();
    expect(decodeFormContext({ caseRef: CASE_REF })).toBeUndefined();
    expect(decodeFormContext(undefined)).toBeUndefined();
  });

  it('refuse to encode a context that could not be read back', () => {
    expect(() => encodeFormContext({ caseRef: 'not a case' })).toThrow(/read back/);
    expect(() => encodeFormContext({ card: { channelId: 'x'.repeat(300), messageRef: '1' } })).toThrow();
  });
});

const FORM: ChatForm = {
  id: 'OFFER',
  title: `Offer treatment for ${CASE_REF}`,
  submitLabel: 'Make offer',
  intro: 'The patient will be asked to choose.',
  fields: [
    {
      id: 'siteId',
      label: 'Site',
      kind: 'select',
      required: true,
      options: [
        { value: 'site-a', label: 'Leeds General' },
        { value: 'site-b', label: 'Harrogate' },
      ],
    },
    { id: 'proposedDate', label: 'Proposed date', kind: 'date', required: true, hint: 'The first date you can treat.' },
    { id: 'slots', label: 'Slots', kind: 'number', required: false, initial: '2' },
    { id: 'clinicalTeam', label: 'Treating clinical team', kind: 'text', required: true, maxLength: 120 },
    { id: 'notes', label: 'Notes', kind: 'multiline', required: false, initial: 'None' },
    {
      id: 'needsCriticalCare',
      label: 'Needs critical care',
      kind: 'radio',
      required: true,
      options: [
        { value: 'no', label: 'No' },
        { value: 'yes', label: 'Yes' },
      ],
      initial: 'no',
    },
  ],
  context: {
    caseRef: CASE_REF,
    organisationId: ORG_ID,
    card: { channelId: TEAMS_CHANNEL, messageRef: TEAMS_ACTIVITY },
    openedFor: 'aad-user-1',
  },
};

describe('formCard', () => {
  it('renders one labelled input per field, by kind', () => {
    const card = formCard(FORM);
    expect(card.version).toBe('1.5');
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: FORM.title, weight: 'bolder', wrap: true });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: FORM.intro });

    const fields = inputs(card);
    expect(fields.map((input) => [input.id, input.type])).toEqual([
      ['siteId', 'Input.ChoiceSet'],
      ['proposedDate', 'Input.Date'],
      ['slots', 'Input.Number'],
      ['clinicalTeam', 'Input.Text'],
      ['notes', 'Input.Text'],
      ['needsCriticalCare', 'Input.ChoiceSet'],
    ]);
    for (const [i, input] of fields.entries()) {
      const field = FORM.fields[i];
      expect(input.id).toBe(field?.id);
      expect(input.label).toBe(field?.label);
      expect(input.label.trim()).not.toBe('');
      expect(input.isRequired).toBe(field?.required);
      expect(input.errorMessage).toBe(field?.required ? 'Required' : undefined);
    }
    expect(fields[0]).toMatchObject({
      style: 'compact',
      choices: [
        { title: 'Leeds General', value: 'site-a' },
        { title: 'Harrogate', value: 'site-b' },
      ],
    });
    expect(fields[0]).not.toHaveProperty('value');
    expect(fields[2]).toMatchObject({ value: 2 });
    expect(fields[3]).toMatchObject({ maxLength: 120 });
    expect(fields[3]).not.toHaveProperty('isMultiline');
    expect(fields[4]).toMatchObject({ isMultiline: true, value: 'None' });
    expect(fields[5]).toMatchObject({ style: 'expanded', value: 'no' });

    // The hint sits with its input, subtle.
    const dateAt = card.body.indexOf(fields[1] as CardElement);
    expect(card.body[dateAt + 1]).toMatchObject({
      type: 'TextBlock',
      text: 'The first date you can treat.',
      isSubtle: true,
    });
    expect(textBlocks(card.body).some((block) => block.color === 'attention')).toBe(false);
  });

  it('submits with Action.Execute carrying the context, and can be cancelled', () => {
    const card = formCard(FORM);
    const [submit, cancel] = card.actions ?? [];
    expect(submit).toEqual({
      type: 'Action.Execute',
      verb: `${FORM_VERB_PREFIX}OFFER`,
      title: 'Make offer',
      style: 'positive',
      associatedInputs: 'auto',
      data: { context: encodeFormContext(FORM.context) },
    });
    expect(cancel).toMatchObject({ type: 'Action.Execute', verb: CANCEL_VERB, data: submit?.data });
    expect(decodeFormContext(submit?.data.context)).toEqual(FORM.context);
  });

  it('re-fills what was submitted, including fields left empty, rather than the initial values', () => {
    const values = {
      siteId: 'site-b',
      proposedDate: '2025-03-03',
      slots: '4',
      clinicalTeam: 'Ortho B',
      notes: undefined,
      needsCriticalCare: 'yes',
    };
    const fields = inputs(formCard(FORM, { values }));
    expect(fields.map((input) => ('value' in input ? input.value : undefined))).toEqual([
      'site-b',
      '2025-03-03',
      4,
      'Ortho B',
      undefined,
      'yes',
    ]);
    // A value that is no longer a choice, or not a date, is not shown.
    const odd = inputs(formCard(FORM, { values: { siteId: 'site-z', proposedDate: 'tomorrow' } }));
    expect(odd[0]).not.toHaveProperty('value');
    expect(odd[1]).not.toHaveProperty('value');
    expect(odd[2]).toMatchObject({ value: 2 });
  });

  it("shows the server's problems under the right inputs and in a summary at the top", () => {
    const card = formCard(FORM, {
      values: { clinicalTeam: 'Ortho B', proposedDate: '2020-01-01' },
      errors: [
        { field: 'proposedDate', message: 'Must be in the future' },
        { field: 'clinicalTeam.name', message: 'Too vague' },
        { field: 'somethingElse', message: 'Site is closed' },
        { field: 'proposedDate', message: 'Must be in the future' },
      ],
    });

    const summary = card.body[1] as TextBlock;
    expect(summary).toMatchObject({ type: 'TextBlock', color: 'attention', id: 'error-summary' });
    expect(summary.text).toMatch(/^\*\*There is a problem\*\*/);
    expect(summary.text).toContain('- Site: Site is closed');
    expect(summary.text).toContain('- Proposed date: Must be in the future');
    expect(summary.text).toContain('- Treating clinical team: Too vague');
    expect(summary.text.match(/Must be in the future/g)).toHaveLength(1);

    const after = (id: string) => card.body[card.body.findIndex((element) => 'id' in element && element.id === id) + 1];
    expect(after('proposedDate')).toMatchObject({
      type: 'TextBlock',
      text: 'Must be in the future',
      color: 'attention',
    });
    expect(after('clinicalTeam')).toMatchObject({ text: 'Too vague', color: 'attention' });
    expect(after('siteId')).toMatchObject({ text: 'Site is closed', color: 'attention' });
    expect(after('slots')).not.toMatchObject({ color: 'attention' });
    expect(inputs(card).find((input) => input.id === 'clinicalTeam')).toMatchObject({ value: 'Ortho B' });
  });

  it('refuses a field whose id would overwrite the context', () => {
    const bad: ChatForm = { ...FORM, fields: [{ id: 'context', label: 'Context', kind: 'text', required: false }] };
    expect(() => formCard(bad)).toThrow(/context/);
  });
});

describe('readAction', () => {
  it('reads back a button: its action and reference', () => {
    const card = messageCard(message({ title: 'T', sections: [caseSection(1)] }));
    const button = actionSets(containers(card)[0]?.items ?? [])[0]?.actions[0] as ExecuteAction;
    const { verb, data } = clicked(button);
    expect(readAction(data, verb)).toEqual({
      kind: 'action',
      action: 'OFFER_TREATMENT',
      ref: { caseRef: CASE_REF, organisationId: ORG_ID },
    });
    expect(readAction({}, 'VIEW_CASE')).toEqual({ kind: 'action', action: 'VIEW_CASE', ref: {} });
  });

  it('reads back a patient request’s buttons, and refuses a request id that is not one', () => {
    const ref = { requestId: OFFER_ID, organisationId: ORG_ID };
    const card = messageCard(
      message({
        title: 'A patient asks to move',
        actions: [{ action: 'REQUEST_APPROPRIATE', label: 'Appropriate: list', ref }],
      }),
    );
    const [button] = card.actions ?? [];
    const { verb, data } = clicked(button!);
    expect(readAction(data, verb)).toEqual({ kind: 'action', action: 'REQUEST_APPROPRIATE', ref });
    expect(readAction({ ...(data as object), requestId: 'PR-1234' }, verb)).toBeUndefined();
  });

  it('reads back a submission: its form, context, and the inputs Teams merged into data', () => {
    const [submit] = formCard(FORM).actions ?? [];
    const { verb, data } = clicked(submit as ExecuteAction, {
      siteId: 'site-a',
      proposedDate: '2025-03-03',
      slots: '3',
      clinicalTeam: 'Ortho B',
      notes: '',
      needsCriticalCare: 'no',
    });
    expect(readAction(data, verb)).toEqual({
      kind: 'submit',
      form: 'OFFER',
      context: FORM.context,
      values: {
        siteId: 'site-a',
        proposedDate: '2025-03-03',
        slots: '3',
        clinicalTeam: 'Ortho B',
        notes: undefined,
        needsCriticalCare: 'no',
      },
    });
  });

  it('keeps string values only, and never the context among them', () => {
    const context = encodeFormContext({ caseRef: CASE_REF });
    const read = readAction(
      { context, reason: 'Too far', flag: true, list: ['a'], nothing: null },
      'SUBMIT:WITHDRAW_CASE',
    );
    expect(read).toEqual({
      kind: 'submit',
      form: 'WITHDRAW_CASE',
      context: { caseRef: CASE_REF },
      values: { reason: 'Too far' },
    });
  });

  it('reads back a cancel', () => {
    const [, cancel] = formCard(FORM).actions ?? [];
    const { verb, data } = clicked(cancel as ExecuteAction, { notes: 'ignored' });
    expect(data).not.toHaveProperty('notes');
    expect(readAction(data, verb)).toEqual({ kind: 'cancel' });
  });

  it('refuses tampered or malformed data, without throwing', () => {
    const context = encodeFormContext(FORM.context);
    const refused: [unknown, unknown][] = [
      [{ caseRef: CASE_REF }, 'DELETE_EVERYTHING'],
      [{ caseRef: CASE_REF }, ''],
      [{ caseRef: CASE_REF }, 'approve'],
      [{ caseRef: 'MA-1234567I' }, 'APPROVE'],
      [{ caseRef: `${CASE_REF}x` }, 'APPROVE'],
      [{ caseRef: CASE_REF, side: 'EVERYONE' }, 'APPROVE'],
      [{ organisationId: 'x'.repeat(10_000) }, 'OFFER_TREATMENT'],
      [{ caseRef: 42 }, 'VIEW_CASE'],
      [null, 'VIEW_CASE'],
      [undefined, 'VIEW_CASE'],
      ['{"caseRef":"MA-7K3Q9XHM"}', 'VIEW_CASE'],
      [[CASE_REF], 'VIEW_CASE'],
      [42, 'VIEW_CASE'],
      [{ context }, 'SUBMIT:NOT_A_FORM'],
      [{ context }, 'SUBMIT:'],
      [{ context }, 'OFFER'],
      [{ context: undefined, notes: 'x' }, 'SUBMIT:OFFER'],
      [{ context: JSON.parse(context) as unknown }, 'SUBMIT:OFFER'],
      [{ context: context.replace(CASE_REF, 'MA-0000000I') }, 'SUBMIT:OFFER'],
      [{ context: `${context.slice(0, -1)},"pad":"${'x'.repeat(3000)}"}` }, 'SUBMIT:OFFER'],
      [{ context, notes: 'x'.repeat(CARD_LIMITS.inputLength + 1) }, 'SUBMIT:OFFER'],
      [{ context, ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, 'v'])) }, 'SUBMIT:OFFER'],
      ['context', 'SUBMIT:OFFER'],
      [{ caseRef: CASE_REF }, 42],
      [{ caseRef: CASE_REF }, undefined],
      [{ caseRef: CASE_REF }, `VIEW_CASE${' '.repeat(200)}`],
    ];
    for (const [data, verb] of refused) {
      expect(() => readAction(data, verb as string)).not.toThrow();
      expect(readAction(data, verb as string), `${String(verb)} ${JSON.stringify(data)?.slice(0, 80)}`).toBeUndefined();
    }
  });

  it('accepts the longest values the inputs allow', () => {
    const context = encodeFormContext({ caseRef: CASE_REF });
    const notes = 'n'.repeat(CARD_LIMITS.inputLength);
    expect(readAction({ context, notes }, 'SUBMIT:REJECT_TRANSFER')).toMatchObject({ values: { notes } });
  });
});
