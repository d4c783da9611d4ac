/**
 * What comes back from a chat platform with a click or a form: the action's
 * references and the form's context, as the renderers encode them. One
 * schema for both platforms, so a tampered value is refused the same way
 * everywhere; only the shape of a platform's own message ids differs.
 */
import { z } from 'zod';
import { CASE_REF_PATTERN } from '../../domain/case-ref';
import { APPROVAL_SIDES } from '../../domain/journey-states';
import type { ActionRef } from './message';

export const actionRefShape = {
  caseRef: z.string().regex(CASE_REF_PATTERN).optional(),
  organisationId: z.uuid().optional(),
  offerId: z.uuid().optional(),
  side: z.enum(APPROVAL_SIDES).optional(),
  postingId: z.uuid().optional(),
  requestId: z.uuid().optional(),
};

export const actionRefSchema = z.object(actionRefShape);

/** A form's context, with the platform's own pattern for conversation and message ids. */
export function formContextSchema(platformId: z.ZodString, openedForMax: number) {
  return z.object({
    ...actionRefShape,
    card: z.object({ channelId: platformId, messageRef: platformId }).optional(),
    openedFor: z.string().max(openedForMax).optional(),
  });
}

/** The reference's known keys that are set: nothing else rides along with a click. */
export function refData(ref: ActionRef): Record<string, string> {
  const { caseRef, organisationId, offerId, side, postingId, requestId } = ref;
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries({ caseRef, organisationId, offerId, side, postingId, requestId })) {
    if (typeof value === 'string') data[key] = value;
  }
  return data;
}

/** Parses JSON of at most `max` characters, or undefined: never throws. */
export function parseJson(text: unknown, max: number): unknown {
  if (typeof text !== 'string' || text.length === 0 || text.length > max) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
