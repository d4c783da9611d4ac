/**
 * What every chat handler shares: the clients and clock it works with, the
 * channel-neutral reply types, and the small helpers that turn a refusal or a
 * field error into a reply.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../../db/client';
import type { FieldError } from '../../../domain/field-errors';
import type { CapacityClient } from '../../../workflows/capacity-client';
import type { Decision, JourneyClient } from '../../../workflows/client';
import type { JourneyPolicy, JourneyStatus } from '../../../workflows/contract';
import { humanise } from '../forms';
import type { ChatUser } from '../chat-user';
import {
  message,
  refusalMessage,
  type ActionRef,
  type ChatForm,
  type ChatMessage,
  type FieldProblem,
  type FormContext,
  type FormValues,
} from '../message';
import type { PatientLinks } from '../patient-links';
import type { PatientRequests } from '../../../workflows/patient-requests';

/** The clients, policy and clock the handlers work with. */
export interface HandlerContext {
  db: Db;
  journeys: JourneyClient;
  capacity: CapacityClient;
  policy: JourneyPolicy;
  /** Absent when no PATIENT_LINK_SECRET is configured: `link` then says so. */
  patientLinks?: PatientLinks;
  /** Absent without PATIENT_LINK_SECRET: patient-initiated requests need signed links. */
  patientRequests?: PatientRequests;
  now: () => Date;
}

/** Where a command was typed: the channel, and for Teams the reference a proactive send to it needs. */
export interface CommandPlace {
  channelId: string;
  conversationReference?: unknown;
}

/** Where a bot message lives, so it can be refreshed in place. */
export interface CardRef {
  channelId: string;
  messageRef: string;
}

export type Reply =
  | { kind: 'message'; message: ChatMessage; refresh?: CardRef }
  | { kind: 'form'; form: ChatForm }
  | { kind: 'refused'; message: ChatMessage };

export type SubmitReply =
  | { kind: 'done'; message: ChatMessage; refresh?: CardRef }
  | { kind: 'invalid'; errors: FieldProblem[] }
  | { kind: 'refused'; message: ChatMessage };

/** The organisation a command names (by ODS code) or a form was opened for; unnamed, the one where the person has the roles. */
export interface OrganisationChoice {
  ods?: string;
  organisationId?: string;
}

/** A button press: what it is about, the card it was on, and the request id that makes a retry the same press. */
export type ButtonHandler = (
  ctx: HandlerContext,
  user: ChatUser,
  ref: ActionRef,
  card?: CardRef,
  requestId?: string,
) => Promise<Reply>;

/** A form submission: the context the form was opened with, the values entered, and its request id. */
export type FormHandler = (
  ctx: HandlerContext,
  user: ChatUser,
  context: FormContext,
  values: FormValues,
  requestId: string,
) => Promise<SubmitReply>;

export const refused = (text: string): Reply & SubmitReply => ({ kind: 'refused', message: refusalMessage(text) });
export const said = (title: string, body: string, tone: ChatMessage['tone'] = 'success'): ChatMessage =>
  message({ title, body, tone });

/** A stable UUID from a request id, so the same submission retried names the same offer. */
export function uuidFrom(requestId: string): string {
  const hex = createHash('sha256').update(requestId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function nextStep(status: JourneyStatus): string {
  switch (status.state) {
    case 'AWAITING_APPROVAL':
      return 'Waiting for the other manager.';
    case 'APPROVED':
      return 'Both trusts have approved: the receiving provider confirms the date next.';
    case 'RELISTED':
    case 'OPEN_FOR_OFFERS':
      return 'The case is open for offers again.';
    default:
      return `The case is now ${humanise(status.state).toLowerCase()}.`;
  }
}

export function invalid(errors: FieldError[]): SubmitReply {
  return { kind: 'invalid', errors: errors.map((e) => ({ field: e.field, message: e.message })) };
}

export function fieldOrRefusal(decision: Decision<never> & { ok: false }, field: string, codes: string[]): SubmitReply {
  return codes.includes(decision.code)
    ? { kind: 'invalid', errors: [{ field, message: decision.message }] }
    : refused(decision.message);
}

export function refusedReply(reply: SubmitReply): Reply {
  return reply.kind === 'refused' ? reply : refused('That did not work: check the details and try again.');
}
