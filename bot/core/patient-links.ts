/**
 * The patient's choice link: a signed, expiring token naming one row of
 * patient_links, which makes it single-use (the row records its use) and
 * lets a newer link supersede an older one. The system never sends the link
 * itself; the listing team passes it on by their usual means.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { patientLinks } from '../../db/schema';

export interface PatientLinkOptions {
  db: Db;
  /** At least 32 characters; rotating it invalidates every link issued. */
  secret: string;
  /** Where the choice page is served, such as https://mutual-aid.example.nhs.uk */
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

const encode = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
const decode = (value: string) => Buffer.from(value, 'base64url').toString('utf8');

export class PatientLinks {
  private readonly now: () => Date;

  constructor(private readonly options: PatientLinkOptions) {
    if (options.secret.length < 32) throw new Error('PATIENT_LINK_SECRET must be at least 32 characters');
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
    const body = encode(JSON.stringify({ l: id, c: caseRef, e: Math.floor(expiresAt.getTime() / 1000) }));
    return { url: `${baseUrl.replace(/\/$/, '')}/choice/${body}.${this.sign(body)}`, expiresAt };
  }

  /** Checks signature and expiry only; whether the link is used or superseded is the page's database check. */
  verify(token: string): VerifiedLink {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return { ok: false, reason: 'MALFORMED' };
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'TAMPERED' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(decode(body));
    } catch {
      return { ok: false, reason: 'MALFORMED' };
    }
    const { l, c, e } = (parsed ?? {}) as { l?: unknown; c?: unknown; e?: unknown };
    if (typeof l !== 'string' || typeof c !== 'string' || typeof e !== 'number')
      return { ok: false, reason: 'MALFORMED' };
    const expiresAt = new Date(e * 1000);
    if (expiresAt.getTime() <= this.now().getTime()) return { ok: false, reason: 'EXPIRED' };
    return { ok: true, linkId: l, caseRef: c, expiresAt };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.options.secret).update(body).digest('base64url');
  }
}
