/**
 * The weekly managers' digest in chat: the console line, Slack blocks and a
 * Teams card from one payload — counts, durations and specialty codes only,
 * within each platform's limits however many specialties a trust has.
 */
import { describe, expect, it } from 'vitest';
import { renderNotification } from '../../bot/console/render-notification';
import { weeklyDigestMessage } from '../../bot/core/weekly-digest-message';
import { formatHours } from '../../bot/core/weekly-digest-text';
import { messageBlocks, SLACK_LIMITS } from '../../bot/slack/blocks';
import { cardBytes, MAX_CARD_BYTES, messageCard } from '../../bot/teams/cards';
import { TREATMENT_FUNCTIONS } from '../../domain/codes';
import { weeklyDigestData, type FunnelCounts, type WeeklyDigest } from '../../domain/funnel';
import { stringLeaves } from '../support/privacy';

const counts = (overrides: Partial<FunnelCounts> = {}): FunnelCounts => ({
  listed: 7,
  offered: 6,
  chosen: 3,
  approved: 1,
  transferred: 1,
  declined: {
    cases: 2,
    reasons: { DECLINED_ALL: 0, STAYED_LOCAL: 1, ORIGIN_RELEASE_REJECTED: 1, RECEIVING_ACCEPTANCE_REJECTED: 0 },
  },
  timedOut: {
    cases: 1,
    reasons: { NO_OFFERS: 1, OFFER_EXPIRED: 0, CHOICE_LAPSED: 0, APPROVAL_LAPSED: 0, MATCH_DEADLINE: 0 },
  },
  withdrawn: {
    cases: 1,
    reasons: { TREATED_LOCALLY: 1, NO_LONGER_NEEDED: 0, PATIENT_CHANGED_MIND: 0, CLINICAL_CHANGE: 0, OTHER: 0 },
  },
  inProgress: 2,
  timeInState: {
    LISTED: { medianHours: 0.0001, stays: 7 },
    OPEN_FOR_OFFERS: { medianHours: 336, stays: 7 },
    CHOOSING: { medianHours: 30.25, stays: 5 },
    AWAITING_APPROVAL: { medianHours: 0.5, stays: 3 },
  },
  ...overrides,
});

const digest = (overrides: Partial<WeeklyDigest> = {}): WeeklyDigest => ({
  weekStarting: '2025-06-02',
  week: counts(),
  period: { weeks: 12, from: '2025-03-17', all: counts({ listed: 40, offered: 30, chosen: 12, approved: 8 }) },
  patientInitiated: counts({ listed: 4, offered: 3, chosen: 1, approved: 0, transferred: 0 }),
  specialties: [
    { specialtyCode: '110', week: counts(), waits: { patients: 120, meanWeeks: 30.24, p92Weeks: 50.1 } },
    { specialtyCode: '101', waits: { patients: 8, meanWeeks: 12, p92Weeks: 20 } },
  ],
  ...overrides,
});

const audience = { kind: 'ORGANISATION' as const, organisationId: 'org-1', roles: ['MANAGER' as const] };
const context = { organisationName: () => 'Leeds Teaching Hospitals NHS Trust' };
const TITLE = 'Weekly mutual-aid digest: where journeys stall';

const FUNNEL = 'Listed 7 → offered 6 → chosen 3 → approved 1 → transferred 1';
const OUTCOMES =
  'Declined 2 (stayed local 1, release rejected 1) · timed out 1 (no offers 1) · withdrawn 1 (treated locally 1) · in progress 2';

describe('rendering the weekly managers’ digest', () => {
  it('is one console line: the week in a sentence, then each specialty’s funnel and waits', () => {
    const line = renderNotification(
      { kind: 'WEEKLY_DIGEST', caseRef: null, audience, data: weeklyDigestData(digest()) },
      undefined,
      context,
    );
    expect(line).toBe(
      '[WEEKLY_DIGEST] (no case) → Leeds Teaching Hospitals NHS Trust (managers): ' +
        `Patients listed in the week starting 2025-06-02: ${FUNNEL}. ${OUTCOMES}. ` +
        'Longest median stay: open for offers, median 14 d (7 stays).' +
        ` | 110 Trauma & Orthopaedics: ${FUNNEL}; Waiting now: 120 · mean 30.2 wks · 92nd percentile 50.1 wks` +
        ' | 101 Urology: None listed that week.; Waiting now: 8 · mean 12 wks · 92nd percentile 20 wks',
    );
  });

  it('is a message with the longer period as facts and one short section per specialty, without buttons', () => {
    const chat = weeklyDigestMessage(weeklyDigestData(digest()), TITLE, 'Leeds (managers)');
    expect(chat.facts).toEqual([
      {
        label: 'Last 12 weeks (listed from 2025-03-17)',
        value: 'Listed 40 → offered 30 → chosen 12 → approved 8 → transferred 1',
      },
      { label: 'Declined, timed out, withdrawn', value: OUTCOMES },
      { label: 'Longest median stay', value: 'open for offers, median 14 d (7 stays)' },
      { label: 'Patient-initiated route', value: 'Listed 4 → offered 3 → chosen 1 → approved 0 → transferred 0' },
    ]);
    expect(chat.sections).toEqual([
      {
        title: '110 Trauma & Orthopaedics',
        text: [
          FUNNEL,
          OUTCOMES,
          "Median time in state (stays): listed under 1 min (7) · open for offers 14 d (7) · patient's choice 30.3 h (5) · awaiting approval 30 min (3)",
          'Waiting now: 120 · mean 30.2 wks · 92nd percentile 50.1 wks',
        ].join('\n'),
        facts: [],
        actions: [],
      },
      {
        title: '101 Urology',
        text: 'None listed that week.\nWaiting now: 8 · mean 12 wks · 92nd percentile 20 wks',
        facts: [],
        actions: [],
      },
    ]);
    expect(chat.actions).toEqual([]);
    expect(chat.footnote).toBeUndefined();
    expect(chat.text).toMatch(
      /^Weekly mutual-aid digest: where journeys stall \(Leeds \(managers\)\): Patients listed/,
    );
  });

  it('says plainly when nobody was listed that week', () => {
    const quiet = digest({ week: counts({ listed: 0, timeInState: {} }) });
    const chat = weeklyDigestMessage(weeklyDigestData(quiet), TITLE, 'Leeds (managers)');
    expect(chat.body).toBe('No patients were listed for mutual aid in the week starting 2025-06-02.');
  });

  it('marks a specialty with too few patients waiting for wait figures, also in a digest gathered with them', () => {
    const few = digest({
      specialties: [
        { specialtyCode: '110', week: counts(), waits: { patients: 3, suppressed: 'TOO_FEW_PATIENTS' } },
        // Gathered before figures from so few were withheld: still not shown.
        { specialtyCode: '101', waits: { patients: 4, meanWeeks: 12, p92Weeks: 20 } },
        { specialtyCode: '130', waits: { patients: 5, meanWeeks: 12, p92Weeks: 20 } },
      ],
    });
    const chat = weeklyDigestMessage(weeklyDigestData(few), TITLE, 'Leeds (managers)');
    expect(chat.sections.map((section) => section.text?.split('\n').at(-1))).toEqual([
      'Waiting now: 3 · too few patients for reliable wait figures (under 5)',
      'Waiting now: 4 · too few patients for reliable wait figures (under 5)',
      'Waiting now: 5 · mean 12 wks · 92nd percentile 20 wks',
    ]);
    const line = renderNotification(
      { kind: 'WEEKLY_DIGEST', caseRef: null, audience, data: weeklyDigestData(few) },
      undefined,
      context,
    );
    expect(line).toContain('110 Trauma & Orthopaedics: ' + FUNNEL + '; Waiting now: 3 · too few patients');
    expect(line.match(/mean/g)).toHaveLength(1);
  });

  it('keeps within Slack’s fifty blocks and Teams’ card size for a trust with every specialty', () => {
    const codes = Object.keys(TREATMENT_FUNCTIONS);
    expect(codes.length).toBeGreaterThan(20);
    const big = digest({
      specialties: codes.map((specialtyCode) => ({
        specialtyCode,
        week: counts({ listed: 123_456, offered: 99_999 }),
        waits: { patients: 99_999, meanWeeks: 104.5, p92Weeks: 150.2 },
      })),
    });
    const chat = weeklyDigestMessage(weeklyDigestData(big), TITLE, 'Leeds (managers)');
    expect(chat.sections).toHaveLength(20);
    expect(chat.footnote).toBe(
      `${codes.length - 20} more specialties not shown here: the funnel report has every specialty.`,
    );

    const slack = messageBlocks(chat);
    expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(slack.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    for (const block of slack.blocks) {
      if (block.type === 'section' && block.text) {
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      }
    }
    // Every specialty shown made it into Slack: nothing dropped silently.
    expect(slack.blocks.filter((block) => block.type === 'divider')).toHaveLength(20);

    const card = messageCard(chat);
    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(JSON.stringify(card)).toContain('more specialties not shown here');
  });

  it('shows nothing of a payload that is not a well-formed digest, so nothing slipped into one reaches chat', () => {
    const tampered = digest({
      specialties: [{ specialtyCode: '4857773456', waits: { patients: 1, meanWeeks: 1, p92Weeks: 1 } }],
    });
    const extra = { ...digest(), caseRefs: 'MA-ABCDEFGH', name: 'Jane Doe' };
    for (const data of [
      weeklyDigestData(tampered),
      { weekStarting: '2025-06-02', digest: JSON.stringify(extra).replace('"110"', '"110","caseRef":"MA-ABCDEFGH"') },
      { weekStarting: '2025-06-02', digest: '{not json' },
      { weekStarting: '2025-06-02' },
    ]) {
      const chat = weeklyDigestMessage(data, TITLE, 'Leeds (managers)');
      const line = renderNotification({ kind: 'WEEKLY_DIGEST', caseRef: null, audience, data }, undefined, context);
      const shown = [...stringLeaves(messageBlocks(chat)), ...stringLeaves(messageCard(chat)), line].join('\n');
      expect(shown).not.toMatch(/4857773456|MA-ABCDEFGH|Jane Doe/);
    }
    const unreadable = weeklyDigestMessage(weeklyDigestData(tampered), TITLE, 'Leeds (managers)');
    expect(unreadable.body).toBe('Weekly mutual-aid digest: the figures could not be read.');
    // Unknown keys are dropped by the schema: the well-formed rest is shown, the extra never.
    const stripped = weeklyDigestMessage(
      { digest: JSON.stringify(extra).replace('"110"', '"110","caseRef":"MA-ABCDEFGH"') },
      TITLE,
      'Leeds (managers)',
    );
    expect(stripped.sections.map((section) => section.title)).toEqual(['110 Trauma & Orthopaedics', '101 Urology']);
  });

  it('says stays as people say them: minutes, hours under two days, then days', () => {
    expect([0.001, 0.25, 1, 30.25, 47.9, 48, 336].map(formatHours)).toEqual([
      'under 1 min',
      '15 min',
      '1 h',
      '30.3 h',
      '47.9 h',
      '2 d',
      '14 d',
    ]);
  });
});
