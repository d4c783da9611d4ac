/**
 * Properties of what comes back from a chat platform, which anyone who can
 * reach the platform can shape: the command text (bot/core/commands.ts),
 * Slack's button values and modal metadata (bot/slack/blocks.ts) and Teams'
 * card data (bot/teams/cards.ts). None of them throws; a command is either
 * one the bot knows or a refusal in words that never repeats what was typed;
 * every valid reference survives the round trip; and whatever is decoded
 * passes the shared schema (bot/core/references.ts) with no key beyond it,
 * so nothing else (an NHS number, say) can ride along with a click.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HELP_LINES, MAX_COMMAND_LENGTH, parseCommand, type Command } from '../../bot/core/commands';
import { ACTION_IDS, FORM_IDS, type ActionRef, type FormContext } from '../../bot/core/message';
import { actionRefSchema, formContextSchema } from '../../bot/core/references';
import * as slack from '../../bot/slack/blocks';
import * as teams from '../../bot/teams/cards';
import { REGIONS, ROLES } from '../../domain/codes';
import { APPROVAL_SIDES, WITHDRAW_REASONS } from '../../domain/journey-states';
import { RUNS, anyCase, anyInput, anyString, caseRef, uuid, whitespace } from './arbitraries';

const COMMAND_NAMES = ['help', 'whoami', 'list', 'status', 'withdraw', 'choice', 'link', 'confirm', 'post', 'postings'];
const KINDS: Command['kind'][] = [...COMMAND_NAMES, 'connect', 'adduser'] as Command['kind'][];
const UNKNOWN_COMMAND = 'I do not know that command. Type `help` for the commands.';

/** A reference as the renderers make them: any subset of the known keys, each valid. */
const actionRef: fc.Arbitrary<ActionRef> = fc.record(
  {
    caseRef,
    organisationId: uuid,
    offerId: uuid,
    side: fc.constantFrom(...APPROVAL_SIDES),
    postingId: uuid,
    requestId: uuid,
  },
  { requiredKeys: [] },
);

/** The keys of a reference that are set: what a round trip gives back. */
const setKeys = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Keys no click may carry, however they are spelt. */
const SMUGGLED = ['nhsNumber', 'givenName', 'postcode', 'dateOfBirth', '__proto__', 'constructor', 'a2', 'caseref'];

/** A JSON object with known keys holding anything, and smuggled keys beside them. */
const tamperedObject = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom('a', 'caseRef', 'organisationId', 'offerId', 'side', 'postingId', 'requestId'),
      anyInput,
    ),
    fc.dictionary(fc.constantFrom(...SMUGGLED), fc.oneof(anyString, fc.constant('9434765919'))),
    actionRef,
    fc.constantFrom(...ACTION_IDS),
  )
  .map(([noise, smuggled, ref, action]) => ({ a: action, ...ref, ...noise, ...smuggled }));

/** JSON text of a tampered object; JSON.stringify drops a `__proto__` own key, so it is also written out by hand. */
const tamperedJson = fc.oneof(
  tamperedObject.map((value) => JSON.stringify(value)),
  fc
    .tuple(tamperedObject, anyString)
    .map(
      ([value, smuggled]) =>
        `${JSON.stringify(value).slice(0, -1)},"__proto__":{"nhsNumber":${JSON.stringify(smuggled)}}}`,
    ),
  anyString,
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

const strictRef = actionRefSchema.strict();
const KNOWN_REF_KEYS = Object.keys(actionRefSchema.shape);

describe('commands, whatever is typed', () => {
  it('parse any text without throwing into a known command, or a refusal in words', () => {
    const text = fc.oneof(
      anyString,
      fc
        .tuple(fc.constantFrom(...COMMAND_NAMES, 'connect', 'adduser'), anyString)
        .map(([name, rest]) => `${name} ${rest}`),
      fc.string({ unit: 'binary', minLength: MAX_COMMAND_LENGTH - 5, maxLength: MAX_COMMAND_LENGTH + 5 }),
    );
    fc.assert(
      fc.property(text, (typed) => {
        const parsed = parseCommand(typed);
        if (parsed.ok) {
          expect(KINDS).toContain(parsed.command.kind);
          expect(typed.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
        } else {
          expect(parsed.message).toMatch(/[A-Za-z]{3,}/);
        }
        if (typed.length > MAX_COMMAND_LENGTH)
          expect(parsed).toEqual({ ok: false, message: expect.stringMatching(/too long/) as string });
      }),
      { numRuns: 1000 },
    );
  });

  it('never repeat what was typed: an unknown command gets one fixed sentence, and a refusal names no argument', () => {
    // A marker found in no help line or message.
    const marker = fc.stringMatching(/^qz[a-z0-9]{6,12}$/);
    fc.assert(
      fc.property(marker, fc.constantFrom('', ...COMMAND_NAMES, 'connect', 'adduser'), marker, (word, name, arg) => {
        const unknown = parseCommand(`${word} ${arg}`);
        expect(unknown).toEqual({ ok: false, message: UNKNOWN_COMMAND });
        const refused = parseCommand(`${name} ${arg} ${arg}`);
        if (!refused.ok) expect(refused.message).not.toContain(arg);
      }),
      RUNS,
    );
  });

  it('read a known command the same whatever the spacing and the case of its words', () => {
    const date = fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const ods = fc.stringMatching(/^[A-Z0-9]{3,6}$/);
    const userId = fc.stringMatching(/^U[A-Z0-9]{4,10}$/);
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z'-]{0,10}( [A-Za-z][A-Za-z'-]{0,10}){0,2}$/);
    /** Words, with whether each may change case (a display name and a Slack user id keep theirs). */
    type Words = [string, boolean][];
    const command: fc.Arbitrary<Words> = fc.oneof<fc.Arbitrary<Words>[]>(
      fc.constantFrom<[string, boolean][]>([['help', true]], [['whoami', true]], [['list', true]], [['post', true]]),
      fc.tuple(fc.constantFrom('list', 'post', 'postings'), ods).map(([c, o]) => [
        [c, true],
        [o, true],
      ]),
      fc.tuple(fc.constantFrom('status', 'choice', 'link', 'withdraw'), caseRef).map(([c, r]) => [
        [c, true],
        [r, true],
      ]),
      fc
        .tuple(caseRef, fc.constantFrom(...WITHDRAW_REASONS))
        .map(([r, reason]) => [
          ['withdraw', true],
          [r, true],
          ...reason.split('_').map((w): [string, boolean] => [w.toLowerCase(), true]),
        ]),
      fc.tuple(caseRef, date).map(([r, d]) => [
        ['confirm', true],
        [r, true],
        [d, true],
      ]),
      fc
        .tuple(fc.constantFrom('clinicians', 'managers', 'coordinators'), fc.option(ods, { nil: undefined }))
        .map(([team, o]) => [['connect', true], [team, true], ...(o ? [[o, true] as [string, boolean]] : [])]),
      fc.constantFrom(...REGIONS).map((region) => [
        ['connect', true],
        ['escalation', true],
        [region, true],
      ]),
      fc
        .tuple(userId, ods, fc.subarray([...ROLES], { minLength: 1 }), name)
        .map(([u, o, roles, n]) => [
          ['adduser', true],
          [`<@${u}>`, false],
          [o, true],
          [roles.join(',').toLowerCase(), true],
          ...n.split(' ').map((w): [string, boolean] => [w, false]),
        ]),
    );
    const typed = command.chain((words) =>
      fc
        .tuple(
          whitespace(0, 2),
          fc.array(whitespace(1, 3), { minLength: words.length, maxLength: words.length }),
          fc.tuple(...words.map(([word, changes]) => (changes ? anyCase(word) : fc.constant(word)))),
        )
        .map(([before, gaps, cased]) => ({
          canonical: words.map(([word]) => word).join(' '),
          typed: before + cased.map((word, i) => `${word}${gaps[i]}`).join(''),
        })),
    );
    fc.assert(
      fc.property(typed, ({ canonical, typed }) => {
        const expected = parseCommand(canonical);
        expect(expected.ok, canonical).toBe(true);
        expect(parseCommand(typed)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('are all in the help', () => {
    for (const name of [...COMMAND_NAMES, 'connect', 'adduser']) {
      expect(HELP_LINES.some(([syntax]) => syntax.startsWith(name))).toBe(true);
    }
  });
});

describe('Slack button values, whatever comes back', () => {
  it('round-trip every action and valid reference', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTION_IDS), actionRef, (action, ref) => {
        expect(slack.decodeActionValue(slack.encodeActionValue({ action, ref }))).toEqual({
          action,
          ref: setKeys(ref),
        });
      }),
      RUNS,
    );
  });

  it('decode anything without throwing, and only ever to a known action and a valid reference with no other key', () => {
    let decodedSome = 0;
    fc.assert(
      fc.property(tamperedJson, (value) => {
        const decoded = slack.decodeActionValue(value);
        if (decoded === undefined) return;
        decodedSome += 1;
        expect(ACTION_IDS).toContain(decoded.action);
        expect(strictRef.safeParse(decoded.ref).success).toBe(true);
        expect(Object.keys(decoded.ref).every((key) => KNOWN_REF_KEYS.includes(key))).toBe(true);
        expect(Object.getPrototypeOf(decoded.ref)).toBe(Object.prototype);
        expect(JSON.stringify(decoded)).not.toContain('nhsNumber');
      }),
      { numRuns: 1000 },
    );
    // The tampered values include valid references with smuggled keys: those must have come through, stripped.
    expect(decodedSome).toBeGreaterThan(0);
  });
});

/** Slack channel ids and message timestamps; Teams conversation and activity ids. */
const slackId = fc.stringMatching(/^[A-Z0-9.]{1,40}$/);
const teamsId = fc.stringMatching(/^[\w:@.;=-]{1,200}$/);

const formContext = (platformId: fc.Arbitrary<string>, openedForMax: number): fc.Arbitrary<FormContext> =>
  fc
    .tuple(
      actionRef,
      fc.option(fc.record({ channelId: platformId, messageRef: platformId }), { nil: undefined }),
      fc.option(fc.string({ maxLength: openedForMax }), { nil: undefined }),
    )
    .map(([ref, card, openedFor]) => setKeys({ ...ref, card, openedFor }));

function checkFormContexts(
  platform: string,
  codec: { encodeFormContext(c: FormContext): string; decodeFormContext(v: string): FormContext | undefined },
  platformId: fc.Arbitrary<string>,
  schema: z.ZodType,
  openedForMax: number,
) {
  describe(`${platform} form contexts, whatever comes back`, () => {
    it('round-trip every valid context', () => {
      fc.assert(
        fc.property(formContext(platformId, openedForMax), (context) => {
          expect(codec.decodeFormContext(codec.encodeFormContext(context))).toEqual(context);
        }),
        RUNS,
      );
    });

    it('decode anything without throwing, and only to a context the schema takes, with no other key', () => {
      const value = fc.oneof(
        tamperedJson,
        fc
          .tuple(formContext(platformId, openedForMax), fc.dictionary(fc.constantFrom(...SMUGGLED), anyString))
          .map(([context, smuggled]) => JSON.stringify({ ...context, ...smuggled })),
      );
      fc.assert(
        fc.property(value, (text) => {
          const decoded = codec.decodeFormContext(text);
          if (decoded === undefined) return;
          expect(schema.safeParse(decoded).success).toBe(true);
          expect(JSON.stringify(decoded)).not.toContain('nhsNumber');
        }),
        { numRuns: 1000 },
      );
    });
  });
}

checkFormContexts(
  'Slack',
  slack,
  slackId,
  formContextSchema(
    z
      .string()
      .max(40)
      .regex(/^[A-Z0-9.]+$/i),
    40,
  ).strict(),
  40,
);
checkFormContexts(
  'Teams',
  teams,
  teamsId,
  formContextSchema(
    z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w:@.;=-]+$/),
    100,
  ).strict(),
  100,
);

describe('Teams card actions, whatever comes back', () => {
  const verb = fc.oneof(
    fc.constantFrom(...ACTION_IDS, teams.CANCEL_VERB, ...FORM_IDS.map((form) => `${teams.FORM_VERB_PREFIX}${form}`)),
    anyString,
  );

  it('read back every button and every form submission as they were sent', () => {
    const values = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== 'context' && key !== '__proto__'),
      fc.string({ maxLength: 50 }),
      { maxKeys: 20 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTION_IDS),
        actionRef,
        fc.constantFrom(...FORM_IDS),
        formContext(teamsId, 100),
        values,
        (action, ref, form, context, answers) => {
          expect(teams.readAction({ ...ref }, action)).toEqual({ kind: 'action', action, ref: setKeys(ref) });
          const submitted = teams.readAction(
            { ...answers, context: teams.encodeFormContext(context) },
            `${teams.FORM_VERB_PREFIX}${form}`,
          );
          const expectedValues = Object.fromEntries(
            Object.entries(answers).map(([k, v]) => [k, v === '' ? undefined : v]),
          );
          expect(submitted).toEqual({ kind: 'submit', form, context, values: expectedValues });
        },
      ),
      RUNS,
    );
  });

  it('read anything without throwing, to a known action with a valid reference, or a submission of short strings', () => {
    const data = fc.oneof(
      anyInput,
      tamperedObject,
      fc
        .tuple(tamperedJson, fc.dictionary(fc.string({ maxLength: 8 }), anyInput, { maxKeys: 8 }))
        .map(([context, rest]) => ({ ...rest, context })),
    );
    const seen = new Set<string>();
    fc.assert(
      fc.property(data, verb, (value, pressed) => {
        const read = teams.readAction(value, pressed);
        if (read === undefined || read.kind === 'cancel') return;
        seen.add(read.kind);
        if (read.kind === 'action') {
          expect(ACTION_IDS).toContain(read.action);
          expect(strictRef.safeParse(read.ref).success).toBe(true);
          expect(JSON.stringify(read.ref)).not.toContain('nhsNumber');
          return;
        }
        expect(FORM_IDS).toContain(read.form);
        expect(Object.keys(read.values)).not.toContain('context');
        expect(Object.keys(read.values).length).toBeLessThanOrEqual(teams.CARD_LIMITS.submittedValues);
        for (const v of Object.values(read.values)) {
          if (v !== undefined) expect(typeof v === 'string' && v.length <= teams.CARD_LIMITS.inputLength).toBe(true);
        }
        expect(JSON.stringify(read.context)).not.toContain('nhsNumber');
      }),
      { numRuns: 1000 },
    );
    expect([...seen].sort()).toEqual(['action', 'submit']);
  });
});
