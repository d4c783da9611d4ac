/**
 * Who may change a posting, and when: the checks behind each Update's
 * validator, re-run by the handler under the posting's lock. Refusals are
 * non-retryable failures with a stable code; invalid fields travel as the
 * failure's details so chat can show them field by field.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { describeFieldErrors, type FieldError } from '../../domain/field-errors';
import type { PostingStatus } from '../../domain/journey-states';
import { validatePostingEdit, type PostingTerms } from '../../domain/posting';
import {
  POSTING_REFUSALS,
  type Actor,
  type EditPostingInput,
  type RecordSlotsFilledInput,
  type StaffActor,
} from '../contract';
import { requireStaff } from '../journey/rules';

export interface PostingState {
  organisationId: string;
  status: PostingStatus;
  terms: PostingTerms;
  slotsFilled: number;
}

type PostingRefusal = (typeof POSTING_REFUSALS)[keyof typeof POSTING_REFUSALS];

function refuse(code: PostingRefusal, message: string): never {
  throw ApplicationFailure.nonRetryable(message, code);
}

const POSTER_ROLES: StaffActor['roles'] = ['CLINICIAN', 'MANAGER'];

export function invalidFields(errors: FieldError[]): never {
  throw ApplicationFailure.create({
    message: describeFieldErrors(errors),
    type: POSTING_REFUSALS.invalid,
    nonRetryable: true,
    details: [errors],
  });
}

function requireOpen(s: PostingState, action: string): void {
  if (s.status !== 'OPEN') {
    refuse(POSTING_REFUSALS.notOpen, `This posting is ${s.status.toLowerCase()}, so you cannot ${action}.`);
  }
}

export function checkEdit(
  s: PostingState,
  input: EditPostingInput,
  now: number,
): { actor: StaffActor; terms: PostingTerms } {
  const actor = requireStaff(input.actor, s.organisationId, POSTER_ROLES, 'edit this posting');
  requireOpen(s, 'edit it');
  const edited = validatePostingEdit(s.terms, input.changes, new Date(now));
  if (!edited.ok) return invalidFields(edited.errors);
  if (edited.value.slots < s.slotsFilled) {
    invalidFields([{ field: 'slots', message: `${s.slotsFilled} slots are already filled: slots cannot be fewer` }]);
  }
  return { actor, terms: edited.value };
}

export function checkSlotsFilled(s: PostingState, input: RecordSlotsFilledInput): StaffActor {
  const actor = requireStaff(input.actor, s.organisationId, POSTER_ROLES, 'record slots filled');
  requireOpen(s, 'record slots filled');
  if (!Number.isInteger(input.count) || input.count < 1) {
    invalidFields([{ field: 'count', message: 'Slots filled must be a whole number of at least 1' }]);
  }
  const left = s.terms.slots - s.slotsFilled;
  if (input.count > left) {
    refuse(
      POSTING_REFUSALS.overfilled,
      `Only ${left} of ${s.terms.slots} slots are left on this posting: edit the slots first if there are more.`,
    );
  }
  return actor;
}

export function checkWithdraw(s: PostingState, actor: Actor): StaffActor {
  const staff = requireStaff(actor, s.organisationId, POSTER_ROLES, 'withdraw this posting');
  requireOpen(s, 'withdraw it');
  return staff;
}
