/**
 * Renders one journey notification as a single chat-style line for the local
 * console client: kind, case reference, who it is for, a short sentence and
 * the clinical summary. The words are the shared ones every front end uses.
 */
import {
  describeAudience,
  describeSummary,
  notificationSentence,
  type ClinicalSummary,
  type NotificationMessage,
  type RenderContext,
} from '../core/notification-text';
import { weeklyDigestConsoleTail } from '../core/weekly-digest-message';

export type { ClinicalSummary } from '../core/notification-text';

/** `[KIND] MA-XXXXXXXX → audience: sentence | clinical summary`; a weekly digest adds ` | specialty: funnel; waits` each. */
export function renderNotification(
  message: NotificationMessage,
  summary: ClinicalSummary | undefined,
  context: RenderContext,
): string {
  const sentence = notificationSentence(message.kind, message.data, context.offer);
  const head = `[${message.kind}] ${message.caseRef ?? '(no case)'} → ${describeAudience(message.audience, context.organisationName)}`;
  if (message.kind === 'WEEKLY_DIGEST') return `${head}: ${sentence}${weeklyDigestConsoleTail(message.data)}`;
  return summary ? `${head}: ${sentence} | ${describeSummary(summary)}` : `${head}: ${sentence}`;
}
