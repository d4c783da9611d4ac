/**
 * A patient's own request to move (patient-initiated mutual aid), from the
 * patient's answer to a listed case:
 *
 *   requested ─► origin team asked (reminded) ─► appropriate ─► listed, journey started
 *                                             └► not appropriate ─► closed, patient keeps their place
 *
 * The listed case's journey runs as an abandoned child: it outlives this
 * workflow, matched in the region first and nationally from `nationalFrom`,
 * and closes if no transfer is approved by `matchBy`.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { newCaseRef } from '../../domain/case-ref';
import type { Audience } from '../../domain/notifications';
import type { Activities } from '../activities';
import {
  decideRequestUpdate,
  journeyWorkflowId,
  type DecideRequestInput,
  type PatientRequestInput,
  type PatientRequestOutcome,
  type StaffActor,
} from '../contract';
import type { patientJourney } from '../journey/journey';
import { requireStaff } from '../journey/rules';
import { STEP_ACTIVITY_OPTIONS } from '../shared/steps';

const activities = proxyActivities<Activities>(STEP_ACTIVITY_OPTIONS);

export async function patientRequest(input: PatientRequestInput): Promise<PatientRequestOutcome> {
  const { requestId, policy } = input;
  const originTeam: Audience = {
    kind: 'ORGANISATION',
    organisationId: input.originOrgId,
    roles: ['COORDINATOR', 'CLINICIAN'],
  };
  let decision: { actor: StaffActor; appropriate: boolean } | undefined;
  let outcome: PatientRequestOutcome | undefined;

  const check = (request: DecideRequestInput): StaffActor => {
    const actor = requireStaff(
      request.actor,
      input.originOrgId,
      ['CLINICIAN'],
      'judge whether the move is appropriate',
    );
    if (decision) throw ApplicationFailure.nonRetryable('Someone has already decided this request.', 'REQUEST.DECIDED');
    return actor;
  };
  setHandler(
    decideRequestUpdate,
    async (request) => {
      decision ??= { actor: check(request), appropriate: request.appropriate };
      await condition(() => outcome !== undefined);
      return outcome!;
    },
    { validator: (request: DecideRequestInput) => void check(request) },
  );

  const notify = (kind: 'PATIENT_REQUEST' | 'PATIENT_REQUEST_REMINDER') =>
    activities.notify({
      key: `request/${requestId}/${kind}`,
      kind,
      audience: originTeam,
      data: { requestId },
    });

  await notify('PATIENT_REQUEST');
  if (!(await condition(() => decision !== undefined, policy.decideReminderMs))) {
    await notify('PATIENT_REQUEST_REMINDER');
    await condition(() => decision !== undefined);
  }
  const { actor, appropriate } = decision!;
  const person = {
    kind: 'PERSON' as const,
    personId: actor.personId,
    organisationId: actor.organisationId,
    channel: actor.channel,
  };
  const now = Date.now();

  if (!appropriate) {
    await activities.declineRequest({ requestId, actor: person, decidedAt: new Date(now).toISOString() });
    outcome = { status: 'NOT_APPROPRIATE' };
    return outcome;
  }

  // Workflow randomness is replayed, so a retried listing step carries the same reference.
  const caseRef = newCaseRef((max) => Math.floor(Math.random() * max));
  const nationalFrom = new Date(now + policy.regionalForMs).toISOString();
  const listed = await activities.listRequestedCase({
    requestId,
    caseRef,
    actor: person,
    nationalFrom,
    listedAt: new Date(now).toISOString(),
  });
  if (!listed.alreadyListed) {
    await startChild<typeof patientJourney>('patientJourney', {
      workflowId: journeyWorkflowId(listed.caseRef),
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          caseRef: listed.caseRef,
          originOrgId: input.originOrgId,
          region: input.region,
          specialtyCode: input.specialtyCode,
          careType: input.careType,
          priority: input.priority,
          listedBy: actor.personId,
          policy: input.journeyPolicy,
          nationalFrom,
          matchBy: new Date(now + policy.matchWithinMs).toISOString(),
        },
      ],
    });
  }
  outcome = { status: 'LISTED', caseRef: listed.caseRef };
  return outcome;
}
