/**
 * The origin team's card for a patient's own request to move: what the
 * patient asked (specialty, procedure, wait, how far they will travel) under
 * the request's reference, and the two answers a clinician can give. Once
 * decided, the card says who decided and what followed instead.
 */
import type { RequestSummary } from '../../db/patient-requests';
import { TRAVEL_CHOICES } from '../../domain/patient-initiated';
import { message, type ChatMessage, type MessageAction } from './message';

export function travelLabel(maxTravelMiles: number | null): string {
  const choice = Object.values(TRAVEL_CHOICES).find((c) => c.miles === maxTravelMiles);
  return choice?.label ?? `Up to ${maxTravelMiles} miles`;
}

function decisionText(request: RequestSummary): string {
  const who = request.decidedByName ?? 'a clinician';
  switch (request.status) {
    case 'LISTED':
      return `Judged appropriate by ${who}: listed as ${request.caseRef ?? 'a case'}, in the region first.`;
    case 'NOT_APPROPRIATE':
      return `Judged not appropriate by ${who}. Please tell the patient they keep their place on your waiting list.`;
    default:
      return '';
  }
}

export function requestMessage(
  request: RequestSummary,
  title: string,
  sentence: string,
  audienceOrg: string,
  forWhom: string,
): ChatMessage {
  const ref = { requestId: request.requestId, organisationId: audienceOrg };
  const actions: MessageAction[] =
    request.status === 'REQUESTED'
      ? [
          { action: 'REQUEST_APPROPRIATE', label: 'Appropriate: list', style: 'primary', ref },
          { action: 'REQUEST_NOT_APPROPRIATE', label: 'Not appropriate', style: 'danger', ref },
        ]
      : [];
  const decided = decisionText(request);
  const head = `${title}: ${request.ref}`;
  const body = decided ? `${sentence} ${decided}` : sentence;
  return message({
    title: head,
    body,
    facts: [
      { label: 'Specialty', value: request.specialtyName },
      { label: 'Procedure', value: request.procedure },
      { label: 'Priority', value: request.priority },
      { label: 'Waiting', value: `${request.weeksWaiting} weeks` },
      { label: 'Will travel', value: travelLabel(request.maxTravelMiles) },
    ],
    actions,
    text: `${head} (${forWhom}): ${body}`,
  });
}
