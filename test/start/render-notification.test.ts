/** The console chat renderer: one line per notification, clinical summary only, whatever the payload carries. */
import { describe, expect, it } from 'vitest';
import { renderNotification, type ClinicalSummary } from '../../bot/console/render-notification';

const summary: ClinicalSummary = {
  specialtyCode: '110',
  procedure: 'Primary total hip replacement',
  priority: 'P3',
  weeksWaiting: 61,
  bmi: 29.4,
  asa: 2,
  ageBand: '60-69',
};
const names = new Map([['org-1', 'Leeds Teaching Hospitals NHS Trust']]);
const context = { organisationName: (id: string) => names.get(id) };

describe('renderNotification', () => {
  it('shows kind, case reference, audience organisation and roles, a sentence and the clinical summary', () => {
    const line = renderNotification(
      {
        kind: 'OFFER_RECEIVED',
        caseRef: 'MA-ABCDEFGH',
        audience: { kind: 'ORGANISATION', organisationId: 'org-1', roles: ['COORDINATOR', 'CLINICIAN'] },
        data: { round: 1, offerId: 'x' },
      },
      summary,
      {
        ...context,
        offer: {
          siteName: 'Nuffield Health York Hospital',
          providerName: 'Nuffield Health',
          proposedDate: '2026-12-17',
        },
      },
    );
    expect(line).toBe(
      '[OFFER_RECEIVED] MA-ABCDEFGH → Leeds Teaching Hospitals NHS Trust (coordinators, clinicians): ' +
        'New offer: Nuffield Health York Hospital (Nuffield Health), treatment 2026-12-17. | ' +
        'Trauma & Orthopaedics · Primary total hip replacement · P3 · 61 wks waiting · BMI 29.4 · ASA 2 · age 60-69',
    );
  });

  it('names a regional escalation audience by its region', () => {
    const line = renderNotification(
      {
        kind: 'NO_OFFERS_ESCALATION',
        caseRef: 'MA-ABCDEFGH',
        audience: { kind: 'REGION_ESCALATION', region: 'NORTH_EAST_AND_YORKSHIRE' },
        data: { round: 2 },
      },
      summary,
      context,
    );
    expect(line).toContain(
      '→ North East and Yorkshire escalation leads: No provider offered in round 2: escalated to the region.',
    );
  });

  it('prints only the fields it knows, so identifiers slipped into a payload never reach chat', () => {
    const line = renderNotification(
      {
        kind: 'CASE_WITHDRAWN',
        caseRef: 'MA-ABCDEFGH',
        audience: { kind: 'ORGANISATION', organisationId: 'org-1', roles: ['CLINICIAN'] },
        data: { reason: 'TREATED_LOCALLY', nhsNumber: '9990000018', givenName: 'Fictitia', postcode: 'LS6 3HX' },
      },
      summary,
      context,
    );
    expect(line).toContain('Case withdrawn: the patient is being treated locally.');
    expect(line).not.toMatch(/9990000018|Fictitia|LS6 3HX/);
  });

  it('still renders a kind it does not know, and an audience it cannot name', () => {
    const line = renderNotification(
      {
        kind: 'SOMETHING_NEW',
        caseRef: 'MA-ABCDEFGH',
        audience: { kind: 'ORGANISATION', organisationId: 'gone', roles: [] },
        data: {},
      },
      undefined,
      context,
    );
    expect(line).toBe('[SOMETHING_NEW] MA-ABCDEFGH → an unknown organisation: Update on this case.');
  });
});
