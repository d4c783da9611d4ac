/**
 * One capacity posting's life:
 *
 *   open ──► filled      (slots filled reach the slots posted)
 *        ├─► withdrawn   (by a clinician or manager of the provider)
 *        └─► expired     (a timer to the end of its last available day)
 *
 * Started with its first Update (update-with-start), so the poster hears
 * "posted" or why not. Edits, slots filled and withdrawal are Updates with
 * validators; every change is saved by an idempotent activity, and each time
 * the posting opens or changes, the cases it could take are announced to the
 * provider's clinicians through their digest.
 */
import {
  type ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { postingExpiresAt } from '../../domain/posting';
import type { Activities } from '../activities';
import {
  confirmPostingUpdate,
  editPostingUpdate,
  postingStatusQuery,
  postingWorkflowId,
  recordSlotsFilledUpdate,
  withdrawPostingUpdate,
  type CapacityPostingInput,
  type EditPostingInput,
  type PostingOutcome,
  type PostingView,
  type RecordSlotsFilledInput,
  type WithdrawPostingInput,
} from '../contract';
import { createLock, iso } from '../journey/timing';
import { STEP_ACTIVITY_OPTIONS, auditActor, refusalOf } from '../shared/steps';
import { checkEdit, checkSlotsFilled, checkWithdraw, type PostingState } from './rules';

const activities = proxyActivities<Activities>(STEP_ACTIVITY_OPTIONS);

export async function capacityPosting(input: CapacityPostingInput): Promise<PostingOutcome> {
  const { postingId, organisationId } = input;
  const s: PostingState = { organisationId, status: 'OPEN', terms: input.terms, slotsFilled: 0 };
  const lock = createLock();
  let saved = false;
  let refusal: ApplicationFailure | undefined;
  /** Bumped by each edit: the expiry timer restarts and the posting is announced again. */
  let version = 0;
  let changes = 0;
  const key = (...parts: (string | number)[]) => [postingWorkflowId(postingId), ...parts].join('/');
  const view = (): PostingView => ({
    postingId,
    organisationId,
    status: s.status,
    terms: { ...s.terms, procedureCodes: [...s.terms.procedureCodes] },
    slotsFilled: s.slotsFilled,
    expiresAt: iso(postingExpiresAt(s.terms)),
  });

  setHandler(postingStatusQuery, view);

  setHandler(confirmPostingUpdate, async () => {
    await condition(() => saved || refusal !== undefined);
    if (refusal) throw refusal;
    return view();
  });

  setHandler(
    editPostingUpdate,
    (request) =>
      lock.run(async () => {
        const { actor, terms } = checkEdit(s, request, Date.now());
        changes += 1;
        await activities.changePosting({
          key: key('edit', changes),
          postingId,
          organisationId,
          actor: auditActor(actor),
          action: 'POSTING_EDITED',
          terms,
        });
        s.terms = terms;
        version += 1;
        return view();
      }),
    { validator: (request: EditPostingInput) => void checkEdit(s, request, Date.now()) },
  );

  setHandler(
    recordSlotsFilledUpdate,
    (request) =>
      lock.run(async () => {
        const actor = checkSlotsFilled(s, request);
        const slotsFilled = s.slotsFilled + request.count;
        const filled = slotsFilled === s.terms.slots;
        changes += 1;
        await activities.changePosting({
          key: key('filled', changes),
          postingId,
          organisationId,
          actor: auditActor(actor),
          action: filled ? 'POSTING_FILLED' : 'POSTING_SLOTS_FILLED',
          slotsFilled,
          ...(filled ? { status: 'FILLED' as const } : {}),
        });
        s.slotsFilled = slotsFilled;
        if (filled) s.status = 'FILLED';
        return view();
      }),
    { validator: (request: RecordSlotsFilledInput) => void checkSlotsFilled(s, request) },
  );

  setHandler(
    withdrawPostingUpdate,
    (request) =>
      lock.run(async () => {
        const actor = checkWithdraw(s, request.actor);
        await activities.changePosting({
          key: key('withdrawn'),
          postingId,
          organisationId,
          actor: auditActor(actor),
          action: 'POSTING_WITHDRAWN',
          status: 'WITHDRAWN',
        });
        s.status = 'WITHDRAWN';
        return view();
      }),
    { validator: (request: WithdrawPostingInput) => void checkWithdraw(s, request.actor) },
  );

  try {
    await activities.savePosting({
      key: key('opened'),
      postingId,
      organisationId,
      actor: auditActor(input.postedBy),
      postedBy: input.postedBy.personId,
      terms: s.terms,
    });
    saved = true;
  } catch (error) {
    refusal = refusalOf(error);
    if (!refusal) throw error;
    await condition(allHandlersFinished);
    return { status: 'REFUSED', slotsFilled: 0 };
  }

  let announced = -1;
  while (s.status === 'OPEN') {
    if (announced !== version) {
      announced = version;
      await activities.announcePosting({ key: key('announce', version), postingId, organisationId });
      continue;
    }
    const waitingOn = version;
    const untilExpiry = postingExpiresAt(s.terms) - Date.now();
    const changed =
      untilExpiry > 0 && (await condition(() => s.status !== 'OPEN' || version !== waitingOn, untilExpiry));
    if (changed) continue;
    await lock.run(async () => {
      if (s.status !== 'OPEN' || version !== waitingOn) return;
      await activities.changePosting({
        key: key('expired'),
        postingId,
        organisationId,
        actor: { kind: 'SYSTEM' },
        action: 'POSTING_EXPIRED',
        status: 'EXPIRED',
      });
      s.status = 'EXPIRED';
    });
  }
  await condition(allHandlersFinished);
  return { status: s.status, slotsFilled: s.slotsFilled };
}
