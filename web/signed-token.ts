/**
 * Signed, expiring tokens for links given to patients: a base64url JSON body
 * naming one database row, and an HMAC-SHA256 signature over it. The token
 * proves the link was issued by us and when it expires; whether it is still
 * usable (used, superseded) is the row's to say.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerifiedToken =
  | { ok: true; id: string; subject: string; expiresAt: Date }
  | { ok: false; reason: 'MALFORMED' | 'TAMPERED' | 'EXPIRED' };

/** At least this long, so the HMAC key cannot be guessed. */
export const MIN_SECRET_LENGTH = 32;

const encode = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
const decode = (value: string) => Buffer.from(value, 'base64url').toString('utf8');
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

/** `id` names the row; `subject` what it is about (a case reference, an organisation). */
export function signToken(secret: string, id: string, subject: string, expiresAt: Date): string {
  const body = encode(JSON.stringify({ l: id, c: subject, e: Math.floor(expiresAt.getTime() / 1000) }));
  return `${body}.${sign(secret, body)}`;
}

export function verifyToken(secret: string, token: string, now: Date): VerifiedToken {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, reason: 'MALFORMED' };
  const expected = Buffer.from(sign(secret, body));
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
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'EXPIRED' };
  return { ok: true, id: l, subject: c, expiresAt };
}
