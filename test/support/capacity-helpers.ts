/** Postings for the test world: valid terms matching the default listing (hip replacement, T&O, admitted). */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { notificationOutbox } from '../../db/schema';
import type { PostingTermsInput } from '../../domain/posting';
import type { NotificationKind } from '../../domain/notifications';
import type { CapacityClient } from '../../workflows/capacity-client';
import type { PostingView } from '../../workflows/contract';
import { as, type Org } from './fixtures';
import { eventually } from './journey-env';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export function postingTerms(org: Org, overrides: Partial<PostingTermsInput> = {}): PostingTermsInput {
  return {
    siteId: org.siteId,
    specialtyCode: '110',
    careType: 'ADMITTED',
    procedureCodes: ['W37', 'W38'],
    slots: 4,
    availableFrom: day(0),
    availableUntil: day(30),
    maxBmi: 40,
    maxAsa: 3,
    minAge: 18,
    maxAge: 90,
    hasCriticalCare: false,
    ...overrides,
  };
}

export async function postCapacity(
  capacity: CapacityClient,
  org: Org,
  overrides: Partial<PostingTermsInput> = {},
): Promise<PostingView> {
  const posted = await capacity.post(postingTerms(org, overrides), as(org, 'clinician'));
  if (!posted.ok) throw new Error(`Posting refused: ${posted.code} ${posted.message}`);
  return posted.value;
}

/** Outbox rows of one kind addressed to an organisation (or to anyone when `organisationId` is absent). */
export async function outboxOfKind(db: Db, kind: NotificationKind, organisationId?: string) {
  const rows = await db
    .select()
    .from(notificationOutbox)
    .where(and(eq(notificationOutbox.kind, kind)))
    .orderBy(asc(notificationOutbox.id));
  return rows.filter(
    (row) =>
      organisationId === undefined || (row.audience as { organisationId?: string }).organisationId === organisationId,
  );
}

export function waitForOutbox(db: Db, kind: NotificationKind, organisationId: string | undefined, atLeast = 1) {
  return eventually(async () => {
    const rows = await outboxOfKind(db, kind, organisationId);
    return rows.length >= atLeast ? rows : undefined;
  }, 45_000);
}
