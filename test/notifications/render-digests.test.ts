/** The console chat's lines for the digest notifications: case references and counts, nothing else. */
import { describe, expect, it } from 'vitest';
import { renderNotification } from '../../bot/console/render-notification';

const context = { organisationName: (id: string) => (id === 'org-1' ? 'Nuffield Health' : undefined) };

describe('rendering digest notifications', () => {
  it('lists the matching case references of a provider digest and how many more there are', () => {
    const line = renderNotification(
      {
        kind: 'NEW_MATCHES_DIGEST',
        caseRef: null,
        audience: { kind: 'ORGANISATION', organisationId: 'org-1', roles: ['CLINICIAN'] },
        data: { count: 3, caseRefs: 'MA-ABCDEFGH,MA-12345678,Jane Doe 4857773456' },
      },
      undefined,
      context,
    );
    expect(line).toBe(
      '[NEW_MATCHES_DIGEST] (no case) → Nuffield Health (clinicians): ' +
        '3 waiting patients newly match your capacity: MA-ABCDEFGH, MA-12345678 and 1 more.',
    );
  });

  it('summarises the escalation digest with counts per milestone and only well-formed case entries', () => {
    const line = renderNotification(
      {
        kind: 'ESCALATION_DIGEST',
        caseRef: null,
        audience: { kind: 'REGION_ESCALATION', region: 'LONDON' },
        data: {
          stalledCount: 1,
          stalled: 'MA-ABCDEFGH CHOOSING 9d 40w',
          approachingCount: 2,
          approaching52: 1,
          approaching65: 0,
          approaching78: 1,
          approaching: 'MA-12345678 49w→52, 4857773456 75w→78',
        },
      },
      undefined,
      context,
    );
    expect(line).toBe(
      '[ESCALATION_DIGEST] (no case) → London escalation leads: Daily escalation digest: ' +
        '1 stalled case (MA-ABCDEFGH CHOOSING 9d 40w); 2 nearing 52/65/78 weeks (1/0/1) (MA-12345678 49w→52).',
    );
  });
});
