/**
 * The one way the bot, the API and the demo act on capacity postings: post
 * (validated field by field, the poster resolved to a clinician or manager of
 * the organisation whose site it is), edit, record slots filled, withdraw,
 * read. Posting uses update-with-start, so the poster hears "posted" or
 * exactly why not; refusals are written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sites } from '../db/schema';
import type { Role } from '../domain/codes';
import { describeFieldErrors, type FieldError } from '../domain/field-errors';
import { validatePosting, type PostingTermsInput } from '../domain/posting';
import { auditRefusal, staffActorFor, updateRefusal, type ActingAs } from './acting';
import {
  POSTING_REFUSALS,
  confirmPostingUpdate,
  editPostingUpdate,
  postingStatusQuery,
  postingWorkflowId,
  recordSlotsFilledUpdate,
  withdrawPostingUpdate,
  type CapacityPostingInput,
  type EditPostingInput,
  type PostingView,
  type RecordSlotsFilledInput,
  type StaffActor,
  type WithdrawPostingInput,
} from './contract';
import type { capacityPosting } from './capacity/posting';

export type PostingDecision<T> =
  { ok: true; value: T } | { ok: false; code: string; message: string; errors?: FieldError[] };

export interface CapacityClientOptions {
  client: Client;
  db: Db;
  /** The journeys task queue: postings run beside the journeys they match. */
  taskQueue: string;
  now?: () => Date;
}

const POSTER_ROLES: Role[] = ['CLINICIAN', 'MANAGER'];

export class CapacityClient {
  private readonly now: () => Date;

  constructor(private readonly options: CapacityClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Posts capacity for one of the acting organisation's sites. `postingId`
   * names the request: a retry with the same id gets the same answer and
   * never a second posting.
   */
  async post(
    input: PostingTermsInput | Record<string, unknown>,
    actingAs: ActingAs,
    postingId: string = randomUUID(),
  ): Promise<PostingDecision<PostingView>> {
    const { db, client, taskQueue } = this.options;
    const validated = validatePosting(input, this.now());
    const actor = await this.staffActor(actingAs);
    if (!actor)
      return this.refuse(actingAs, 'POST_CAPACITY', POSTING_REFUSALS.notAuthorised, notPosterMessage(actingAs));
    if (!validated.ok) return this.invalid(actingAs, 'POST_CAPACITY', validated.errors, actor.organisationId);
    const terms = validated.value;
    const [site] = await db
      .select({ id: sites.id })
      .from(sites)
      .where(and(eq(sites.id, terms.siteId), eq(sites.organisationId, actor.organisationId)));
    if (!site) {
      return this.invalid(
        actingAs,
        'POST_CAPACITY',
        [{ field: 'siteId', message: `That site is not one of ${actingAs.organisationOds}'s sites` }],
        actor.organisationId,
      );
    }
    const workflowInput: CapacityPostingInput = {
      postingId,
      organisationId: actor.organisationId,
      postedBy: actor,
      terms,
    };
    try {
      const value = await client.workflow.executeUpdateWithStart(confirmPostingUpdate, {
        updateId: `post:${postingId}`,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof capacityPosting>('capacityPosting', {
          workflowId: postingWorkflowId(postingId),
          taskQueue,
          args: [workflowInput],
          // A retried post finds its own workflow and gets the same answer.
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      return { ok: true, value };
    } catch (error) {
      const refusal = refusalFrom(postingId, error);
      await this.auditRefusal(actingAs, 'POST_CAPACITY', refusal.code, postingId, actor.organisationId);
      return refusal;
    }
  }

  edit(postingId: string, actingAs: ActingAs, changes: EditPostingInput['changes'], requestId?: string) {
    return this.update<EditPostingInput>(
      postingId,
      actingAs,
      editPostingUpdate,
      (actor) => ({ actor, changes }),
      requestId,
    );
  }

  recordSlotsFilled(postingId: string, actingAs: ActingAs, count: number, requestId?: string) {
    return this.update<RecordSlotsFilledInput>(
      postingId,
      actingAs,
      recordSlotsFilledUpdate,
      (actor) => ({ actor, count }),
      requestId,
    );
  }

  withdraw(postingId: string, actingAs: ActingAs, requestId?: string) {
    return this.update<WithdrawPostingInput>(
      postingId,
      actingAs,
      withdrawPostingUpdate,
      (actor) => ({ actor }),
      requestId,
    );
  }

  async status(postingId: string): Promise<PostingDecision<PostingView>> {
    try {
      const value = await this.options.client.workflow
        .getHandle(postingWorkflowId(postingId))
        .query(postingStatusQuery);
      return { ok: true, value };
    } catch (error) {
      return refusalFrom(postingId, error);
    }
  }

  /** Posting and changing capacity takes the clinician or manager role. */
  private async staffActor(actingAs: ActingAs): Promise<StaffActor | undefined> {
    const actor = await staffActorFor(this.options.db, actingAs);
    return actor?.roles.some((role) => POSTER_ROLES.includes(role)) ? actor : undefined;
  }

  private async update<I>(
    postingId: string,
    actingAs: ActingAs,
    definition: UpdateDefinition<PostingView, [I]>,
    build: (actor: StaffActor) => I,
    requestId?: string,
  ): Promise<PostingDecision<PostingView>> {
    const actor = await this.staffActor(actingAs);
    if (!actor) {
      return this.refuse(
        actingAs,
        definition.name,
        POSTING_REFUSALS.notAuthorised,
        notPosterMessage(actingAs),
        postingId,
      );
    }
    try {
      const handle = this.options.client.workflow.getHandle(postingWorkflowId(postingId));
      const value = await handle.executeUpdate(definition, { args: [build(actor)], updateId: requestId });
      return { ok: true, value };
    } catch (error) {
      const refusal = refusalFrom(postingId, error);
      await this.auditRefusal(actingAs, definition.name, refusal.code, postingId, actor.organisationId);
      return refusal;
    }
  }

  private async invalid(actingAs: ActingAs, action: string, errors: FieldError[], organisationId?: string) {
    await this.auditRefusal(actingAs, action, POSTING_REFUSALS.invalid, undefined, organisationId);
    return { ok: false as const, code: POSTING_REFUSALS.invalid, message: describeFieldErrors(errors), errors };
  }

  private async refuse(actingAs: ActingAs, action: string, code: string, message: string, postingId?: string) {
    await this.auditRefusal(actingAs, action, code, postingId);
    return { ok: false as const, code, message };
  }

  private auditRefusal(actingAs: ActingAs, action: string, code: string, postingId?: string, organisationId?: string) {
    return auditRefusal(this.options.db, actingAs, action, code, {
      organisationId,
      detail: postingId ? { postingId } : undefined,
    });
  }
}

const notPosterMessage = (actingAs: ActingAs) =>
  `You need the clinician or manager role at ${actingAs.organisationOds} to post or change its capacity.`;

function refusalFrom(
  postingId: string,
  error: unknown,
): { ok: false; code: string; message: string; errors?: FieldError[] } {
  const refused = updateRefusal(error, 'POSTING.REFUSED');
  if (refused) {
    const errors =
      refused.code === POSTING_REFUSALS.invalid ? (refused.details?.[0] as FieldError[] | undefined) : undefined;
    return { ok: false, code: refused.code, message: refused.message, ...(errors ? { errors } : {}) };
  }
  if (error instanceof WorkflowNotFoundError) {
    return { ok: false, code: 'POSTING.NOT_FOUND', message: `There is no open posting ${postingId}.` };
  }
  throw error;
}
