/**
 * The origin team's answer to a patient's own request to move: a clinician
 * at the trust judges whether the move is clinically and socially
 * appropriate. Appropriate lists the case (in the region first); not
 * appropriate closes the request, and the team tells the patient.
 */
import { actFor } from '../chat-user';
import { refused, said, type ButtonHandler } from './context';

const decide =
  (appropriate: boolean): ButtonHandler =>
  async (ctx, user, ref, card, requestId) => {
    if (!ref.requestId) return refused('This button is missing its request.');
    if (!ctx.patientRequests) return refused('Patient-initiated requests are not set up here.');
    const acting = await actFor(ctx.db, user, 'decideRequest', {
      organisationId: ref.organisationId,
      roles: ['CLINICIAN'],
    });
    if (!acting.ok) return refused(acting.message);
    const decision = await ctx.patientRequests.decide(ref.requestId, acting.value.actingAs, appropriate, requestId);
    if (!decision.ok) return refused(decision.message);
    const outcome = decision.value;
    return {
      kind: 'message',
      message:
        outcome.status === 'LISTED'
          ? said('Listed', `Listed as ${outcome.caseRef}: offered in your region first, then nationally.`)
          : said('Not appropriate', 'Recorded. Please tell the patient they keep their place on your waiting list.'),
      refresh: card,
    };
  };

export const judgeAppropriate = decide(true);
export const judgeNotAppropriate = decide(false);
