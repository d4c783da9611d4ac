/** Who may ask to move under patient-initiated mutual aid: each default rule at its edge. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ELIGIBILITY,
  ineligibilityReasons,
  validateInvitation,
  type Invitation,
} from '../../domain/patient-initiated';

const NOW = new Date('2026-11-23T10:00:00Z');
const DAY_MS = 86_400_000;
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString().slice(0, 10);

function invitation(overrides: Record<string, unknown> = {}): Invitation {
  const validated = validateInvitation(
    {
      originOds: 'RR8',
      nhsNumber: '9434765919',
      givenName: 'Testforename',
      familyName: 'Testsurname',
      dateOfBirth: '1961-04-12',
      postcode: 'LS6 2QN',
      localPatientId: 'RR8-1',
      gpPracticeCode: 'B86001',
      referringOrgOds: 'B86001',
      ppid: 'PP00000001',
      ppidIssuerOds: 'RR8',
      specialtyCode: '110',
      procedure: 'Primary total hip replacement',
      careType: 'ADMITTED',
      priority: 'P4',
      rttClockStart: daysFromNow(-41 * 7),
      bmi: 30,
      asa: 2,
      ...overrides,
    },
    NOW,
  );
  if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
  return validated.value;
}

const reasons = (overrides: Record<string, unknown> = {}) =>
  ineligibilityReasons(invitation(overrides), DEFAULT_ELIGIBILITY, NOW);

describe('patient-initiated eligibility', () => {
  it('lets a patient waiting 41 weeks, with no date booked, aged 18+, not tertiary, ask', () => {
    expect(reasons()).toEqual([]);
  });

  it('needs more than 40 weeks waiting', () => {
    expect(reasons({ rttClockStart: daysFromNow(-40 * 7) })).toEqual([
      'You have been waiting 40 weeks. You can ask to move once you have waited more than 40 weeks.',
    ]);
  });

  it('leaves out a patient with a treatment date within 8 weeks, but not one further off or already past', () => {
    expect(reasons({ bookedTreatmentDate: daysFromNow(8 * 7) })).toHaveLength(1);
    expect(reasons({ bookedTreatmentDate: daysFromNow(8 * 7 + 1) })).toEqual([]);
    expect(reasons({ bookedTreatmentDate: daysFromNow(-30) })).toEqual([]);
  });

  it('needs the patient to be 18 or over on the day', () => {
    expect(reasons({ dateOfBirth: '2008-11-24', rttClockStart: '2025-12-01' })).toEqual([
      'This scheme is for people aged 18 or over.',
    ]);
    expect(reasons({ dateOfBirth: '2008-11-23', rttClockStart: '2025-12-01' })).toEqual([]);
  });

  it('leaves out tertiary referrals unless the trust’s rules include them', () => {
    expect(reasons({ tertiaryReferral: true })).toHaveLength(1);
    expect(
      ineligibilityReasons(
        invitation({ tertiaryReferral: true }),
        { ...DEFAULT_ELIGIBILITY, excludeTertiaryReferrals: false },
        NOW,
      ),
    ).toEqual([]);
  });

  it('validates an invitation field by field like a listing, without travel or a judging clinician', () => {
    const result = validateInvitation({ originOds: 'RR8', bookedTreatmentDate: '2026-02-30' }, NOW);
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.errors.map((e) => e.field) : [];
    expect(fields).toContain('bookedTreatmentDate');
    expect(fields).toContain('nhsNumber');
    expect(fields).not.toContain('maxTravelMiles');
    expect(fields).not.toContain('appropriatenessJudgedBy');
  });
});
