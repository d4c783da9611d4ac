/**
 * The channel-neutral notifications a journey emits. Slack and Teams render
 * them; the outbox stores them. They carry a case reference and codes only:
 * the renderer looks up the clinical summary it may show.
 */
import type { Region, Role } from './codes';

export const NOTIFICATION_KINDS = [
  'CASE_OPEN_FOR_OFFERS',
  'OFFER_WINDOW_CLOSING',
  'NO_OFFERS_ESCALATION',
  'OFFER_RECEIVED',
  'OFFER_WITHDRAWN',
  'OFFER_EXPIRED',
  'CHOICE_NEEDED',
  'CHOICE_REMINDER',
  'CHOICE_OVERDUE_ESCALATION',
  'OFFER_CHOSEN',
  /** To the listing team: which offer the patient chose (by phone or through their link). */
  'PATIENT_CHOSE',
  'OFFER_NOT_CHOSEN',
  'APPROVAL_REQUESTED',
  'APPROVAL_REMINDER',
  'APPROVAL_OVERDUE_ESCALATION',
  'TRANSFER_APPROVED',
  'TRANSFER_REJECTED',
  'TRANSFER_REMINDER',
  'TRANSFER_OVERDUE_ESCALATION',
  'TRANSFERRED',
  'CASE_RELISTED',
  'CASE_CLOSED',
  'CASE_WITHDRAWN',
  'REVIEW_FLAGGED',
  /** To an origin trust's team: a patient asked to move (patient-initiated); confirm it is appropriate. */
  'PATIENT_REQUEST',
  'PATIENT_REQUEST_REMINDER',
  /** To a provider's clinicians: cases newly matching its capacity, batched (case refs and a count only). */
  'NEW_MATCHES_DIGEST',
  /** To a region's escalation leads, daily: stalled cases and patients nearing 52, 65 or 78 weeks. */
  'ESCALATION_DIGEST',
  /** To an origin trust's managers, weekly: last week's funnel by specialty and the trust's waits (aggregates only). */
  'WEEKLY_DIGEST',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Audience =
  { kind: 'ORGANISATION'; organisationId: string; roles: Role[] } | { kind: 'REGION_ESCALATION'; region: Region };

export interface JourneyNotification {
  /** Unique per message: a retried send with the same key is delivered once. */
  key: string;
  kind: NotificationKind;
  /** Absent for digests, which name several cases in `data`. */
  caseRef?: string;
  audience: Audience;
  /** References and codes only (offer ids, states, deadlines): never patient identifiers. */
  data?: Record<string, string | number | boolean>;
}

/** Which try of the notify step this is: on the final one, a target still failing gets a dead letter instead. */
export interface DeliveryAttempt {
  number: number;
  final: boolean;
  /**
   * When this try's chat sends must have ended (epoch ms), so that none is still under way when Temporal
   * gives up on the try and starts the next: a send that could not end by then is left to the next try.
   * Absent outside the notify step (no limit).
   */
  sendBy?: number;
}

/** Implemented by the outbox, and by the Slack and Teams senders. Must be idempotent by `key`. */
export interface Notifier {
  notify(notification: JourneyNotification, attempt?: DeliveryAttempt): Promise<void>;
}

/** Several notifiers as one, in order: the outbox (the record cards are rebuilt from) first, then chat. */
export function allNotifiers(...notifiers: Notifier[]): Notifier {
  return {
    async notify(notification, attempt) {
      for (const notifier of notifiers) await notifier.notify(notification, attempt);
    },
  };
}
