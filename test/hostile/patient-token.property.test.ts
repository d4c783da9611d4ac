/**
 * Properties of the patient's link tokens (web/signed-token.ts): every token
 * we sign reads back as signed; any change to any character, a character
 * added or taken away, or another secret, makes it TAMPERED or MALFORMED;
 * EXPIRED is only ever said of a token whose signature is right; and no
 * string, however odd, makes verification throw or pass.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, signToken, verifyToken } from '../../web/signed-token';
import { RUNS, anyString } from './arbitraries';

const NOW = new Date('2026-03-10T09:00:00Z');
const secret = fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 64 });
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.uuid());
const future = fc.integer({ min: 1, max: 400 * 86_400 }).map((s) => new Date(NOW.getTime() + s * 1000));
const past = fc.integer({ min: 0, max: 400 * 86_400 }).map((s) => new Date(NOW.getTime() - s * 1000));
const token = fc.record({ secret, id: text, subject: text, expiresAt: future });

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
/** One character of a token replaced, inserted or removed. */
const edit = (original: string) =>
  fc.oneof(
    fc
      .tuple(
        fc.integer({ min: 0, max: original.length - 1 }),
        fc.oneof(fc.constantFrom(...BASE64URL, '.', '='), anyString),
      )
      .map(([at, ch]) => `${original.slice(0, at)}${ch.slice(0, 1) || '.'}${original.slice(at + 1)}`),
    fc
      .tuple(fc.integer({ min: 0, max: original.length }), fc.constantFrom(...BASE64URL, '.'))
      .map(([at, ch]) => `${original.slice(0, at)}${ch}${original.slice(at)}`),
    fc.integer({ min: 0, max: original.length - 1 }).map((at) => `${original.slice(0, at)}${original.slice(at + 1)}`),
  );

describe('patient link tokens, whatever comes back', () => {
  it('read back every token signed, with its row, subject and expiry to the second', () => {
    fc.assert(
      fc.property(token, ({ secret, id, subject, expiresAt }) => {
        // Only what survives UTF-8 can be signed and read back as it was: a lone surrogate becomes U+FFFD.
        const utf8 = (value: string) => Buffer.from(value, 'utf8').toString('utf8');
        expect(verifyToken(secret, signToken(secret, id, subject, expiresAt), NOW)).toEqual({
          ok: true,
          id: utf8(id),
          subject: utf8(subject),
          expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000),
        });
      }),
      RUNS,
    );
  });

  it('refuse a token with any character changed, added or taken away as TAMPERED or MALFORMED', () => {
    const edited = token.chain((t) => {
      const signed = signToken(t.secret, t.id, t.subject, t.expiresAt);
      return edit(signed).map((changed) => ({ secret: t.secret, signed, changed }));
    });
    fc.assert(
      fc.property(
        edited.filter(({ signed, changed }) => signed !== changed),
        ({ secret, changed }) => {
          const verified = verifyToken(secret, changed, NOW);
          expect(verified.ok).toBe(false);
          if (!verified.ok) expect(['TAMPERED', 'MALFORMED']).toContain(verified.reason);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuse a token signed with another secret as TAMPERED, expired or not', () => {
    fc.assert(
      fc.property(token, secret, past, ({ secret: ours, id, subject, expiresAt }, theirs, expired) => {
        fc.pre(ours !== theirs);
        expect(verifyToken(ours, signToken(theirs, id, subject, expiresAt), NOW)).toEqual({
          ok: false,
          reason: 'TAMPERED',
        });
        expect(verifyToken(ours, signToken(theirs, id, subject, expired), NOW)).toEqual({
          ok: false,
          reason: 'TAMPERED',
        });
      }),
      RUNS,
    );
  });

  it('say EXPIRED only of a token whose signature is right', () => {
    const expired = fc.record({ secret, id: text, subject: text, expiresAt: past }).chain((t) => {
      const signed = signToken(t.secret, t.id, t.subject, t.expiresAt);
      return edit(signed).map((changed) => ({ secret: t.secret, signed, changed }));
    });
    fc.assert(
      fc.property(expired, ({ secret, signed, changed }) => {
        expect(verifyToken(secret, signed, NOW)).toEqual({ ok: false, reason: 'EXPIRED' });
        if (changed !== signed) expect(verifyToken(secret, changed, NOW)).not.toEqual({ ok: false, reason: 'EXPIRED' });
      }),
      { numRuns: 1000 },
    );
  });

  it('call a rightly signed body that is not one of ours MALFORMED, never valid or expired', () => {
    const body = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ l: fc.jsonValue(), c: fc.jsonValue(), e: fc.jsonValue() }).map((value) => JSON.stringify(value)),
      anyString,
    );
    fc.assert(
      fc.property(secret, body, (key, content) => {
        const encoded = Buffer.from(content, 'utf8').toString('base64url');
        fc.pre(encoded.length > 0);
        const signature = createHmac('sha256', key).update(encoded).digest('base64url');
        const verified = verifyToken(key, `${encoded}.${signature}`, NOW);
        const parsed = (() => {
          try {
            return JSON.parse(content) as unknown;
          } catch {
            return undefined;
          }
        })() as { l?: unknown; c?: unknown; e?: unknown } | undefined | null;
        const ours = typeof parsed?.l === 'string' && typeof parsed.c === 'string' && typeof parsed.e === 'number';
        if (!ours) expect(verified).toEqual({ ok: false, reason: 'MALFORMED' });
      }),
      RUNS,
    );
  });

  it('never throw on any string, and never take one that was not signed', () => {
    fc.assert(
      fc.property(
        secret,
        fc.oneof(anyString, fc.stringMatching(/^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{43}$/)),
        (key, given) => {
          const verified = verifyToken(key, given, NOW);
          expect(verified.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
