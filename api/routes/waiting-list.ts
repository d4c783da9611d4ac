/**
 * A trust's waiting list as a CSV upload (docs/waiting-list.md): every row
 * checked as a listing is, valid rows listed as journeys, the rest reported by
 * line, column and message. The origin is the key's organisation and the
 * lister the key's person. Uploading the same file again lists nobody twice.
 */
import { z } from 'zod';
import { DEFAULT_WAITING_LIST_LIMITS } from '../../domain/waiting-list-csv';
import { importWaitingList, waitingListResponse } from '../../workflows/waiting-list-import';
import { defineRoute, ok, type RouteGroup } from '../route';
import { ErrorSchema, WaitingListRefusalSchema, WaitingListReportSchema, type WaitingListReportView } from '../schemas';

/** A status the upload answers with its report, and the framework (authentication, body limits) with a plain error. */
const orError = (schema: z.ZodType) => z.union([schema, ErrorSchema]);

const uploadWaitingList = defineRoute({
  method: 'post',
  path: '/waiting-list',
  operationId: 'uploadWaitingList',
  summary: 'Upload a waiting list (CSV)',
  description:
    'One patient per row, with the columns of the template (docs/waiting-list-template.csv), at most ' +
    `${DEFAULT_WAITING_LIST_LIMITS.maxRows.toLocaleString('en-GB')} rows. Your key’s person must be a coordinator ` +
    'or clinician at its organisation, which is the origin of every row. Valid rows are listed; invalid rows are ' +
    'reported and not listed; patients your trust already has a live case for are reported with that case and ' +
    'not listed again, so the same file can be sent again (after an interruption, say).',
  rawBody: {
    contentType: 'text/csv',
    maxBytes: DEFAULT_WAITING_LIST_LIMITS.maxBytes,
    description: 'The waiting list as CSV, with a header row.',
  },
  responses: {
    200: {
      description: 'The file was read: what happened to each row, invalid rows included (see `complete`).',
      schema: WaitingListReportSchema,
    },
    403: {
      description:
        'Your key’s person may not list for its organisation (with the report: nothing was listed), or no longer ' +
        'holds any role there.',
      schema: orError(WaitingListRefusalSchema),
    },
    413: {
      description:
        'Too large (INPUT.TOO_LARGE, before it is read) or too many rows (CSV.TOO_MANY_ROWS, with the report).',
      schema: orError(WaitingListRefusalSchema),
    },
    422: {
      description: 'The file as a whole was refused (not UTF-8, not CSV, a wrong header): nothing was listed.',
      schema: WaitingListRefusalSchema,
    },
    503: {
      description: 'The upload stopped part-way (UPLOAD.INTERRUPTED): send the same file again to list the rest.',
      schema: WaitingListRefusalSchema,
    },
  },
  async handle({ deps, caller, rawBody }) {
    const report = await importWaitingList(
      { db: deps.db, journeys: deps.journeys, now: deps.now },
      rawBody ?? new Uint8Array(),
      caller.actingAs,
    );
    const { status, body } = waitingListResponse(report);
    // Typed against the documented shape, so a change to the report's fields fails to compile here.
    const reply: WaitingListReportView = body;
    if (status < 400) return ok(reply, status);
    // Every error of the API has a code and a message; this one keeps the report beside them.
    const messages = reply.fileErrors.map((error) => error.message);
    return ok(
      {
        code: reply.fileErrors[0]?.code ?? 'UPLOAD.REFUSED',
        message: messages.length > 0 ? `${messages.join('. ')}.` : 'The upload was refused.',
        ...reply,
      },
      status,
    );
  },
});

export const waitingListRoutes: RouteGroup = {
  tag: 'Waiting list',
  description: 'Listing many patients at once from a CSV file.',
  routes: [uploadWaitingList],
};
