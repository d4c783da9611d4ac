/**
 * The patient's choice link: a signed, expiring token naming one row of
 * patient_links, which makes it single-use (the row records its use) and
 * lets a newer link supersede an older one. The system never sends the link
 * itself; the listing team passes it on by their usual means.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { patientLinks } from '../../db/schema';
import { choicePath } from '../../web/choice-page';
import { MIN_SECRET_LENGTH, signToken, verifyToken } from '../../web/signed-token';
import { publicUrl } from '../../web/site-path';

export interface PatientLinkOptions {
  db: Db;
  /** At least 32 characters; rotating it invalidates every link issued. */
  secret: string;
  /**
   * Where the choice page is served, such as https://mutual-aid.example.nhs.uk or, behind a reverse proxy
   * under a path, https://apps.trust.nhs.uk/mutual-aid (web/site-path.ts).
   */
  baseUrl: string;
  ttlMs: number;
  now?: () => Date;
}

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

export type VerifiedLink =
  | { ok: true; linkId: string; caseRef: string; expiresAt: Date }
  | { ok: false; reason: 'MALFORMED' | 'TAMPERED' | 'EXPIRED' };

export class PatientLinks {
  private readonly now: () => Date;

  constructor(private readonly options: PatientLinkOptions) {
    if (options.secret.length < MIN_SECRET_LENGTH)
      throw new Error('PATIENT_LINK_SECRET must be at least 32 characters');
    this.now = options.now ?? (() => new Date());
  }

  /** A new link for the case's current round; any earlier unused link for the case stops working. */
  async issue(caseRef: string, round: number, createdBy: string): Promise<IssuedLink> {
    const { db, ttlMs, baseUrl } = this.options;
    const now = this.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const id = await db.transaction(async (tx) => {
      await tx
        .update(patientLinks)
        .set({ supersededAt: now })
        .where(and(eq(patientLinks.caseRef, caseRef), isNull(patientLinks.usedAt), isNull(patientLinks.supersededAt)));
      const [row] = await tx
        .insert(patientLinks)
        .values({ caseRef, round, createdBy, expiresAt })
        .returning({ id: patientLinks.id });
      return row!.id;
    });
    const token = signToken(this.options.secret, id, caseRef, expiresAt);
    return { url: publicUrl(baseUrl, choicePath(token)), expiresAt };
  }

  /** Checks signature and expiry only; whether the link is used or superseded is the page's database check. */
  verify(token: string): VerifiedLink {
    const verified = verifyToken(this.options.secret, token, this.now());
    return verified.ok
      ? { ok: true, linkId: verified.id, caseRef: verified.subject, expiresAt: verified.expiresAt }
      : verified;
  }
}
