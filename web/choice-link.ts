/**
 * Whether a choice link still works: its signature and expiry (checked by
 * PatientLinks), then its patient_links row: not used, not replaced by a
 * newer link. A link whose patient choice is already recorded counts as used
 * even if the page stopped before marking it (the journey took the choice;
 * marking the row is only the page's memory of that).
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { PatientLinks } from '../bot/core/patient-links';
import type { Db } from '../db/client';
import { patientLinks } from '../db/schema';
import { patientChoiceIn } from './choice-offers';

export type LinkRefusal = 'INVALID' | 'EXPIRED' | 'USED' | 'SUPERSEDED';

export interface ChoiceLink {
  linkId: string;
  caseRef: string;
  round: number;
  expiresAt: Date;
}

export type CheckedLink = { ok: true; link: ChoiceLink } | { ok: false; refusal: LinkRefusal };

/** Tokens we issue are about 150 characters; anything far longer is not one of ours. */
const MAX_TOKEN_LENGTH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function checkChoiceLink(db: Db, links: PatientLinks, token: string, now: Date): Promise<CheckedLink> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, refusal: 'INVALID' };
  const verified = links.verify(token);
  if (!verified.ok) return { ok: false, refusal: verified.reason === 'EXPIRED' ? 'EXPIRED' : 'INVALID' };
  // Signed by us, so well formed; checked anyway, as the query would fail on a malformed uuid.
  if (!UUID.test(verified.linkId)) return { ok: false, refusal: 'INVALID' };
  const [row] = await db.select().from(patientLinks).where(eq(patientLinks.id, verified.linkId));
  if (!row || row.caseRef !== verified.caseRef) return { ok: false, refusal: 'INVALID' };
  if (row.usedAt) return { ok: false, refusal: 'USED' };
  if (await patientChoiceIn(db, row.caseRef, row.round)) {
    await markLinkUsed(db, row.id, now);
    return { ok: false, refusal: 'USED' };
  }
  if (row.supersededAt) return { ok: false, refusal: 'SUPERSEDED' };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, refusal: 'EXPIRED' };
  return { ok: true, link: { linkId: row.id, caseRef: row.caseRef, round: row.round, expiresAt: row.expiresAt } };
}

/** Records the link's use once; a second call (a double submit) changes nothing. */
export async function markLinkUsed(db: Db, linkId: string, now: Date): Promise<void> {
  await db
    .update(patientLinks)
    .set({ usedAt: now })
    .where(and(eq(patientLinks.id, linkId), isNull(patientLinks.usedAt)));
}

/**
 * The Update id for a choice through this link: a retried or double submit
 * is one Update (Temporal answers a repeated id with the first answer), so
 * one link can record at most one choice however the requests interleave.
 */
export const choiceRequestId = (link: ChoiceLink): string => `patient-link-${link.linkId}`;
