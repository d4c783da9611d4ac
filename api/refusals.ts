/**
 * The HTTP status each refusal code means. The journey's and the capacity
 * postings' codes are listed in full (the `satisfies` checks below fail to
 * compile when a new code appears without a status); codes from elsewhere
 * fall back on their last word, then on 409.
 */
import { POSTING_REFUSALS, REFUSALS, type RefusalCode } from '../workflows/contract';

type PostingRefusalCode = (typeof POSTING_REFUSALS)[keyof typeof POSTING_REFUSALS];

const JOURNEY_STATUS = {
  [REFUSALS.wrongState]: 409,
  [REFUSALS.notAuthorised]: 403,
  [REFUSALS.ownPatient]: 403,
  [REFUSALS.duplicateOffer]: 409,
  [REFUSALS.invalidOffer]: 422,
  [REFUSALS.offerNotFound]: 404,
  [REFUSALS.offerNotLive]: 409,
  [REFUSALS.siteNotSuitable]: 422,
  [REFUSALS.alreadyDecided]: 409,
  [REFUSALS.reasonRequired]: 422,
  [REFUSALS.invalidDate]: 422,
  [REFUSALS.liveOfferExists]: 409,
} satisfies Record<RefusalCode, number>;

const POSTING_STATUS = {
  [POSTING_REFUSALS.invalid]: 422,
  [POSTING_REFUSALS.notAuthorised]: 403,
  [POSTING_REFUSALS.notOpen]: 409,
  [POSTING_REFUSALS.overfilled]: 409,
  [POSTING_REFUSALS.siteNotOurs]: 422,
} satisfies Record<PostingRefusalCode, number>;

/** Codes the clients themselves give (not the workflows). */
const CLIENT_STATUS: Record<string, number> = {
  'CASE.NOT_FOUND': 404,
  'CASE.DUPLICATE': 409,
  'POSTING.NOT_FOUND': 404,
  'JOURNEY.REFUSED': 409,
  'POSTING.REFUSED': 409,
};

const BY_CODE: Record<string, number> = { ...JOURNEY_STATUS, ...POSTING_STATUS, ...CLIENT_STATUS };

export function statusForRefusal(code: string): number {
  const known = BY_CODE[code];
  if (known) return known;
  if (/\.NOT_FOUND$/.test(code)) return 404;
  if (/\.NOT_AUTHORISED$/.test(code)) return 403;
  if (/\.INVALID(_|$)/.test(code)) return 422;
  return 409;
}
