/**
 * Keys for the operator API: each is issued for a person who holds a role at
 * an organisation and acts as that person for that organisation, so what a
 * key may do is what its person may do there. The secret is shown once, when
 * issued; the database keeps only its SHA-256 and a short prefix that names
 * the key in lists and the audit log. Issuing and revoking are audited.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { appendAudit } from '../db/audit';
import type { Queryable } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { membershipIn, organisationByOds } from '../db/people';
import { apiKeys, organisations, people } from '../db/schema';
import type { Role } from '../domain/codes';

/** `ma_<prefix>_<secret>`: 8 lower-case letters and digits, then 32 random bytes in base64url (43 characters). */
export const API_KEY_PATTERN = /^ma_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 8;
const SECRET_BYTES = 32;
const MAX_LABEL_LENGTH = 100;
/** `last_used_at` says roughly when, not every request: a busy key writes its row at most once a minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyChannel = 'CLI' | 'API';

export type ApiKeyErrorCode =
  'ORGANISATION.UNKNOWN' | 'PERSON.UNKNOWN' | 'PERSON.NO_ROLE' | 'LABEL.INVALID' | 'KEY.UNKNOWN';

/** A refusal to issue or revoke a key, with words the operator can act on. */
export class ApiKeyError extends Error {
  constructor(
    readonly code: ApiKeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/**
 * SHA-256, not a slow password hash: the key carries 256 random bits, so
 * nobody can guess it or search for it from a stolen hash, however fast the
 * hash is. bcrypt or argon2 slow down guessing a person's low-entropy
 * password; here they would only cost CPU on every API request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function newPrefix(): string {
  let prefix = '';
  for (let i = 0; i < PREFIX_LENGTH; i += 1) prefix += PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)];
  return prefix;
}

export interface IssueApiKeyInput {
  organisationOds: string;
  /** The person the key acts as: their email address or their id. */
  person: string;
  label: string;
  channel: ApiKeyChannel;
  /** Who ran the command (an operating-system user), for the audit log. */
  operator?: string;
}

export interface IssuedApiKey {
  /** The whole key. Shown once: it cannot be recovered later. */
  key: string;
  prefix: string;
  id: string;
  organisationOds: string;
  personId: string;
  label: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function personNamed(db: Queryable, person: string) {
  const [row] = await db
    .select({ id: people.id, displayName: people.displayName })
    .from(people)
    .where(UUID.test(person) ? eq(people.id, person) : sql`lower(${people.email}) = ${person.trim().toLowerCase()}`);
  return row;
}

/** Issues a key for a person with a role at the organisation; throws ApiKeyError when it cannot. */
export async function issueApiKey(db: Queryable, input: IssueApiKeyInput): Promise<IssuedApiKey> {
  const ods = input.organisationOds.trim().toUpperCase();
  const label = input.label.trim();
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) {
    throw new ApiKeyError(
      'LABEL.INVALID',
      `Give the key a label of 1 to ${MAX_LABEL_LENGTH} characters saying what uses it, such as "PAS integration".`,
    );
  }
  const organisation = await organisationByOds(db, ods);
  if (!organisation) throw new ApiKeyError('ORGANISATION.UNKNOWN', `There is no organisation with ODS code ${ods}.`);
  const person = await personNamed(db, input.person);
  if (!person) throw new ApiKeyError('PERSON.UNKNOWN', `There is no person ${input.person} in mutual aid.`);
  const membership = await membershipIn(db, person.id, ods);
  if (!membership) {
    throw new ApiKeyError(
      'PERSON.NO_ROLE',
      `${person.displayName} holds no role at ${ods}, so a key acting as them there could do nothing. Give them a role first.`,
    );
  }
  // The prefix is short enough to read out; on the rare clash with an existing key, draw again.
  for (let attempt = 0; ; attempt += 1) {
    const prefix = newPrefix();
    const key = `ma_${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
    // The key and its audit entry are written together or not at all.
    const issued = db.transaction(async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({
          organisationId: organisation.id,
          personId: person.id,
          label,
          keyPrefix: prefix,
          keyHash: hashApiKey(key),
        })
        .returning({ id: apiKeys.id });
      await appendAudit(tx, {
        action: 'API_KEY_ISSUED',
        actor: { kind: 'PERSON', personId: person.id, organisationId: organisation.id, channel: input.channel },
        detail: { keyPrefix: prefix, organisationOds: ods, ...(input.operator ? { operator: input.operator } : {}) },
      });
      return row!.id;
    });
    const id = await issued.catch((error: unknown) => {
      if (attempt < 3 && isUniqueViolation(error, 'api_keys_key_prefix_unique')) return undefined;
      throw error;
    });
    if (id) return { key, prefix, id, organisationOds: ods, personId: person.id, label };
  }
}

/** Who a key acts as: a person, for one organisation, with their roles there now. */
export interface AuthenticatedKey {
  keyId: string;
  keyPrefix: string;
  label: string;
  organisationId: string;
  organisationOds: string;
  personId: string;
  /** Empty when the person has since lost every role at the organisation. */
  roles: Role[];
}

/**
 * The key's organisation and person; undefined for anything that is not a
 * live key (malformed, unknown, revoked). Notes when it was last used, at
 * most once a minute.
 */
export async function authenticate(
  db: Queryable,
  presentedKey: string,
  now: Date = new Date(),
): Promise<AuthenticatedKey | undefined> {
  const parts = API_KEY_PATTERN.exec(presentedKey);
  if (!parts) return undefined;
  const [row] = await db
    .select({
      id: apiKeys.id,
      keyPrefix: apiKeys.keyPrefix,
      keyHash: apiKeys.keyHash,
      label: apiKeys.label,
      organisationId: apiKeys.organisationId,
      organisationOds: organisations.odsCode,
      personId: apiKeys.personId,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(organisations, eq(organisations.id, apiKeys.organisationId))
    .where(eq(apiKeys.keyPrefix, parts[1]!));
  if (!row || row.revokedAt) return undefined;
  // Compared in constant time, so response times say nothing about how much of a guess was right.
  const presented = Buffer.from(hashApiKey(presentedKey), 'hex');
  if (!timingSafeEqual(presented, Buffer.from(row.keyHash, 'hex'))) return undefined;

  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < stale) {
    // The condition repeats in SQL so that requests racing on a stale row still write it once.
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))));
  }
  const membership = await membershipIn(db, row.personId, row.organisationOds);
  return {
    keyId: row.id,
    keyPrefix: row.keyPrefix,
    label: row.label,
    organisationId: row.organisationId,
    organisationOds: row.organisationOds,
    personId: row.personId,
    roles: membership?.roles ?? [],
  };
}

export interface RevokeApiKeyInput {
  prefix: string;
  channel: ApiKeyChannel;
  operator?: string;
}

/** Revokes the key with this prefix; false when it was already revoked. Throws ApiKeyError for an unknown prefix. */
export async function revokeApiKey(db: Queryable, input: RevokeApiKeyInput, now: Date = new Date()): Promise<boolean> {
  const prefix = input.prefix.trim().toLowerCase();
  const [key] = await db
    .select({ id: apiKeys.id, personId: apiKeys.personId, organisationId: apiKeys.organisationId })
    .from(apiKeys)
    .where(eq(apiKeys.keyPrefix, prefix));
  if (!key) throw new ApiKeyError('KEY.UNKNOWN', `There is no API key with prefix ${prefix}.`);
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, key.id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (revoked.length === 0) return false;
    await appendAudit(tx, {
      action: 'API_KEY_REVOKED',
      actor: { kind: 'PERSON', personId: key.personId, organisationId: key.organisationId, channel: input.channel },
      detail: { keyPrefix: prefix, ...(input.operator ? { operator: input.operator } : {}) },
    });
    return true;
  });
}

export interface ApiKeyListing {
  prefix: string;
  label: string;
  personId: string;
  personName: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The organisation's keys, oldest first: prefixes and labels, never hashes. Throws ApiKeyError for an unknown ODS code. */
export async function listApiKeys(db: Queryable, organisationOds: string): Promise<ApiKeyListing[]> {
  const ods = organisationOds.trim().toUpperCase();
  const organisation = await organisationByOds(db, ods);
  if (!organisation) throw new ApiKeyError('ORGANISATION.UNKNOWN', `There is no organisation with ODS code ${ods}.`);
  return db
    .select({
      prefix: apiKeys.keyPrefix,
      label: apiKeys.label,
      personId: apiKeys.personId,
      personName: people.displayName,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(people, eq(people.id, apiKeys.personId))
    .where(eq(apiKeys.organisationId, organisation.id))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.keyPrefix));
}
