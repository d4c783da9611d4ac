/**
 * The operator API's shapes, as zod schemas: what requests may carry and what
 * responses promise. The router validates with them and the OpenAPI document
 * is generated from them, so the two cannot drift apart. A schema given a
 * name with `named` becomes a component of the document; response objects are
 * strict, so a test that parses a response with them notices an undocumented
 * field. No shape here has room for a patient identifier.
 */
import { z } from 'zod';
import { funnelQuerySchema, type FunnelFilter } from '../db/funnel';
import { PATIENT_REQUEST_STATUSES } from '../db/schema';
import { CARE_TYPES, DIAGNOSTIC_MODALITIES, PRIORITIES, ROLES, TRAVEL_NEEDS } from '../domain/codes';
import { CASE_REF_PATTERN } from '../domain/case-ref';
import { DECLINE_REASONS, STAY_STATES, TIMEOUT_KINDS } from '../domain/funnel';
import {
  APPROVAL_SIDES,
  CASE_ROUTES,
  CASE_STATES,
  OFFER_STATUSES,
  POSTING_STATUSES,
  WITHDRAW_REASONS,
} from '../domain/journey-states';
import { listingSchema } from '../domain/listing';
import { invitationSchema } from '../domain/patient-initiated';
import { postingSchema } from '../domain/posting';
import { calendarDate, odsCode, oneOf } from '../domain/schema-parts';
import { MIN_PATIENTS_FOR_WAIT_FIGURES, WAIT_SUPPRESSION_REASONS } from '../domain/waits';
import { MAX_NOTES_LENGTH, MAX_TEAM_LENGTH } from '../workflows/contract';

/**
 * Names a schema: it becomes a component of the OpenAPI document, referred to
 * wherever it is used. Names live in zod's global registry, the one
 * `z.toJSONSchema` reads, with the `.meta({ description })` of every field.
 */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  return schema.meta(description === undefined ? { id } : { id, description });
}

const dateTime = z.iso.datetime();
const calendarDay = z.iso.date();

// ─── Errors ──────────────────────────────────────────────────────────────────

export const FieldErrorSchema = named(
  'FieldError',
  z.strictObject({ field: z.string(), message: z.string() }),
  'One field that was wrong and what to do about it. Messages never repeat the value they reject.',
);

export const ErrorSchema = named(
  'Error',
  z.strictObject({
    code: z.string().meta({ description: 'A stable code, such as JOURNEY.WRONG_STATE or INPUT.INVALID.' }),
    message: z.string().meta({ description: 'What went wrong, in words a person can act on.' }),
    errors: z
      .array(FieldErrorSchema)
      .optional()
      .meta({ description: 'With INPUT.INVALID (422): each field that was wrong.' }),
    requestId: z.string().optional().meta({ description: 'With a 500: quote it when reporting the problem.' }),
  }),
  'Every error response: a code, a message and, for invalid input, the fields.',
);

// ─── Paths and queries ───────────────────────────────────────────────────────

export const caseRefParam = z
  .string()
  .trim()
  .toUpperCase()
  .regex(CASE_REF_PATTERN, { error: 'There is no such case' })
  .meta({ description: 'The case reference, such as MA-7K2D9QXW.' });
const uuidParam = (what: string) => z.uuid({ error: `There is no such ${what}` });

export const CaseParams = z.object({ caseRef: caseRefParam });
export const OfferParams = z.object({ caseRef: caseRefParam, offerId: uuidParam('offer') });
export const PostingParams = z.object({ postingId: uuidParam('capacity posting') });

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const limitQuery = z.coerce
  .number({ error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .int({ error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .min(1, { error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .max(MAX_PAGE_SIZE, { error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `Items per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` });
export const specialtyQuery = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{3}$/, { error: 'specialty must be an RTT treatment function code, such as 110' })
  .meta({ description: 'An RTT treatment function code, such as 110.' });
const cursorQuery = (format: z.ZodType<string>) =>
  format.meta({ description: 'The `nextCursor` of the previous page.' }).optional();

export const CasesQuery = z.object({
  state: oneOf('state', CASE_STATES).optional(),
  specialty: specialtyQuery.optional(),
  limit: limitQuery,
  cursor: cursorQuery(z.string().regex(CASE_REF_PATTERN, { error: 'cursor is not one this API gave out' })),
});

export const OffersQuery = z.object({
  status: oneOf('status', OFFER_STATUSES).optional(),
  caseRef: caseRefParam.optional(),
  limit: limitQuery,
  cursor: cursorQuery(z.uuid({ error: 'cursor is not one this API gave out' })),
});

export const PostingsQuery = z.object({
  status: oneOf('status', POSTING_STATUSES).optional(),
  limit: limitQuery,
  cursor: cursorQuery(z.uuid({ error: 'cursor is not one this API gave out' })),
});

export const WaitsQuery = z.object({
  ods: odsCode('ods').optional().meta({ description: 'One trust, by ODS code; all trusts when absent.' }),
  specialty: specialtyQuery.optional(),
});

export const PatientRequestsQuery = z.object({
  status: oneOf('status', PATIENT_REQUEST_STATUSES).optional(),
  limit: limitQuery,
  cursor: cursorQuery(z.uuid({ error: 'cursor is not one this API gave out' })),
});

/**
 * The funnel's filters as documented; `funnelQuerySchema` (db/funnel.ts) then
 * checks them and words each problem. Its `ods` is not taken here: a key sees
 * its own organisation's funnel only, and naming another is refused rather
 * than silently ignored.
 */
export const FunnelQuery = z
  .looseObject({
    specialty: z.string().optional().meta({ description: 'An RTT treatment function code, such as 110.' }),
    from: z.string().optional().meta({
      description:
        'Cases listed from: a date, such as 2025-06-02 (the start of that day in England), or a time with its offset.',
    }),
    to: z.string().optional().meta({
      description:
        'Cases listed before (exclusive): a date (the start of that day in England) or a time with its offset.',
    }),
    // Checked by funnelQuerySchema with the others, so that every bad filter is named at once; `enum` documents it.
    route: z
      .string()
      .optional()
      .meta({
        description: 'STAFF: listed by the trust. PATIENT_INITIATED: the patient asked to move.',
        enum: [...CASE_ROUTES],
      }),
  })
  .transform((query, ctx): FunnelFilter => {
    const { ods, ...filters } = query;
    const otherOrganisation = ods !== undefined && ods !== '';
    if (otherOrganisation) {
      ctx.addIssue({
        code: 'custom',
        path: ['ods'],
        message: 'Leave ods out: the funnel is always that of your API key’s organisation',
      });
    }
    const checked = funnelQuerySchema.safeParse(filters);
    for (const issue of checked.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return checked.success && !otherOrganisation ? checked.data : z.NEVER;
  });

// ─── Requests ────────────────────────────────────────────────────────────────

/** The listing as documented: what a listing team says, less the origin trust, which is the key's. */
export const ListingRequestSchema = named(
  'ListingRequest',
  z.object(listingSchema(new Date()).shape).omit({ originOds: true }),
  'A patient to list: identifiers, clinical summary and travel. The origin trust is the API key’s organisation. ' +
    'Identifiers are stored and never returned by the API.',
);
/** The invitation as documented: the patient's details, less the origin trust, which is the key's. */
export const InvitationRequestSchema = named(
  'InvitationRequest',
  z.object(invitationSchema(new Date()).shape).omit({ originOds: true }),
  'A patient to invite to ask to move: identifiers, clinical summary, any treatment date already booked, and ' +
    'whether the referral is tertiary. The origin trust is the API key’s organisation. The patient answers how far ' +
    'they will travel on their own page; a clinician at the trust then judges the move. Identifiers are stored and ' +
    'never returned by the API.',
);

/** Listings are validated in full by the journey client; here only that the body is an object. */
export const AnyObject = z.record(z.string(), z.unknown(), { error: 'The body must be a JSON object' });

export const WithdrawCaseRequestSchema = named(
  'WithdrawCaseRequest',
  z.object({ reason: oneOf('Reason', WITHDRAW_REASONS) }),
);

export const OfferRequestSchema = named(
  'OfferRequest',
  z.object({
    siteId: z.uuid({ error: 'Choose one of your organisation’s sites (GET /sites)' }),
    proposedDate: calendarDate('Proposed treatment date'),
    validUntil: z.iso.datetime({
      offset: true,
      error: 'Offer expiry must be a date and time, such as 2026-03-01T17:00:00Z',
    }),
    clinicalTeam: z
      .string({ error: 'Clinical team is required' })
      .trim()
      .min(1, { error: 'Clinical team is required' })
      .max(MAX_TEAM_LENGTH, { error: `Clinical team must be at most ${MAX_TEAM_LENGTH} characters` }),
    notes: z
      .string({ error: 'Notes must be text' })
      .max(MAX_NOTES_LENGTH, { error: `Notes must be at most ${MAX_NOTES_LENGTH} characters` })
      .optional(),
    offerId: z
      .uuid({ error: 'offerId must be a UUID' })
      .optional()
      .meta({ description: 'Your id for the offer: sending the same offer again with it makes no second offer.' }),
  }),
  'An offer to treat: site, date, how long it stays open and the team that will treat.',
);

export const PostingRequestSchema = named(
  'PostingRequest',
  z.object({
    ...postingSchema(new Date()).shape,
    postingId: z
      .uuid()
      .optional()
      .meta({ description: 'Your id for the posting: posting again with it makes no second posting.' }),
  }),
  'Spare capacity at one of your sites.',
);
/** Postings are validated in full by the capacity client; here only the optional id of the request. */
export const PostingEnvelope = z.looseObject({ postingId: z.uuid({ error: 'postingId must be a UUID' }).optional() });

// ─── Responses ───────────────────────────────────────────────────────────────

export const CaseSummarySchema = named(
  'CaseSummary',
  z.strictObject({
    caseRef: z.string(),
    state: z.enum(CASE_STATES),
    round: z.number().int(),
    specialtyCode: z.string(),
    specialtyName: z.string(),
    procedure: z.string(),
    opcsCode: z.string().nullable(),
    careType: z.enum(CARE_TYPES),
    diagnosticModality: z.enum(DIAGNOSTIC_MODALITIES).nullable(),
    priority: z.enum(PRIORITIES),
    weeksWaiting: z.number().int().meta({ description: 'Whole weeks since the RTT clock start.' }),
    bmi: z.number(),
    asa: z.number().int(),
    ageBand: z.string().meta({ description: 'Such as 60-69: never a date of birth.' }),
    needsCriticalCare: z.boolean(),
    maxTravelMiles: z.number().int().nullable().meta({ description: 'Null: anywhere in England.' }),
    travelNeeds: z.array(z.enum(TRAVEL_NEEDS)),
    listedAt: dateTime,
    stateChangedAt: dateTime,
    flaggedForReview: z.boolean(),
  }),
  'A case’s clinical summary: no patient identifier.',
);

export const CasePageSchema = named(
  'CasePage',
  z.strictObject({ items: z.array(CaseSummarySchema), nextCursor: z.string().nullable() }),
);

export const ListedSchema = named('Listed', z.strictObject({ caseRef: z.string() }));

export const OfferSchema = named(
  'Offer',
  z.strictObject({
    offerId: z.uuid(),
    caseRef: z.string(),
    round: z.number().int(),
    providerOrgId: z.uuid(),
    siteId: z.uuid(),
    siteName: z.string(),
    proposedDate: calendarDay,
    validUntil: dateTime,
    clinicalTeam: z.string(),
    status: z.enum(OFFER_STATUSES),
  }),
);

export const OfferListItemSchema = named(
  'OfferListItem',
  z.strictObject({
    ...OfferSchema.shape,
    providerOds: z.string(),
    direction: z.enum(['MADE', 'RECEIVED']).meta({
      description: 'MADE: your organisation offered. RECEIVED: another provider offered on your case.',
    }),
    madeAt: dateTime,
  }),
);

export const OfferPageSchema = named(
  'OfferPage',
  z.strictObject({ items: z.array(OfferListItemSchema), nextCursor: z.string().nullable() }),
);

export const CaseDetailSchema = named(
  'CaseDetail',
  z.strictObject({
    ...CaseSummarySchema.shape,
    offers: z.array(OfferSchema).meta({
      description: 'The origin trust sees every offer; a provider sees its own.',
    }),
    offersShown: z.enum(['ALL', 'OWN']),
    chosenOfferId: z.uuid().nullable(),
    approvals: z.array(z.strictObject({ side: z.enum(APPROVAL_SIDES), approved: z.boolean(), decidedBy: z.uuid() })),
    deadlines: z.strictObject({
      offerWindowClosesAt: dateTime.optional(),
      choiceDueAt: dateTime.optional(),
      approvalDueAt: dateTime.optional(),
      transferDueAt: dateTime.optional(),
    }),
    declinedOfferCount: z.number().int(),
    closedReason: z.string().nullable(),
  }),
  'A case and its journey: state, offers, approvals and the next deadlines.',
);

export const PostingSchema = named(
  'Posting',
  z.strictObject({
    postingId: z.uuid(),
    status: z.enum(POSTING_STATUSES),
    siteId: z.uuid(),
    specialtyCode: z.string(),
    careType: z.enum(CARE_TYPES),
    diagnosticModality: z.enum(DIAGNOSTIC_MODALITIES).nullable(),
    procedureCodes: z.array(z.string()),
    slots: z.number().int(),
    slotsFilled: z.number().int(),
    availableFrom: calendarDay,
    availableUntil: calendarDay,
    maxBmi: z.number(),
    maxAsa: z.number().int(),
    minAge: z.number().int(),
    maxAge: z.number().int(),
    hasCriticalCare: z.boolean(),
    expiresAt: dateTime,
  }),
);

export const PostingPageSchema = named(
  'PostingPage',
  z.strictObject({ items: z.array(PostingSchema), nextCursor: z.string().nullable() }),
);

export const SiteSchema = named(
  'Site',
  z.strictObject({ siteId: z.uuid(), siteCode: z.string(), name: z.string(), town: z.string() }),
);
export const SiteListSchema = named('SiteList', z.strictObject({ items: z.array(SiteSchema) }));

export const ClinicianListSchema = named(
  'ClinicianList',
  z.strictObject({
    items: z.array(z.strictObject({ personId: z.uuid(), displayName: z.string() })),
  }),
  'Clinicians of your organisation: one of them is named as `appropriatenessJudgedBy` when listing.',
);

export const WaitSchema = named(
  'Wait',
  z.strictObject({
    odsCode: z.string(),
    organisationName: z.string(),
    specialtyCode: z.string(),
    specialtyName: z.string(),
    patients: z.number().int().meta({ description: 'Patients still waiting.' }),
    meanWeeks: z.number().nullable().meta({ description: 'Mean weeks since the clock start; null when `suppressed`.' }),
    p92Weeks: z.number().nullable().meta({
      description: '92% of these patients have waited this many weeks or fewer; null when `suppressed`.',
    }),
    suppressed: z
      .enum(WAIT_SUPPRESSION_REASONS)
      .nullable()
      .meta({
        description:
          `Why there are no figures: TOO_FEW_PATIENTS when fewer than ${MIN_PATIENTS_FOR_WAIT_FIGURES} patients are ` +
          'waiting, too few for a reliable figure and close to identifying them (small counts are suppressed as in ' +
          'NHS statistical disclosure control). Null when the figures are given.',
      }),
  }),
  'Waits at one trust in one specialty. From too few patients only the count is given.',
);
export const WaitListSchema = named('WaitList', z.strictObject({ items: z.array(WaitSchema) }));

export const MeSchema = named(
  'Me',
  z.strictObject({
    organisationOds: z.string(),
    personId: z.uuid(),
    roles: z.array(z.enum(ROLES)),
    keyPrefix: z.string(),
    keyLabel: z.string(),
  }),
  'Who the key acts as.',
);

// ─── The funnel ──────────────────────────────────────────────────────────────

const count = z.number().int().min(0);

/** A count per reason, every reason present. */
function reasonCounts<R extends string>(reasons: readonly R[], described: Record<R, string>) {
  const shape = Object.fromEntries(reasons.map((reason) => [reason, count.meta({ description: described[reason] })]));
  return z.strictObject(shape as Record<R, typeof count>);
}

function breakdown<R extends string>(reasons: readonly R[], described: Record<R, string>, description: string) {
  return z
    .strictObject({
      cases: count.meta({
        description: 'Cases with at least one of the reasons; a case may have several, so reasons can add up to more.',
      }),
      reasons: reasonCounts(reasons, described),
    })
    .meta({ description });
}

export const FunnelStaySchema = named(
  'FunnelStay',
  z.strictObject({
    medianHours: z.number().min(0).meta({ description: 'The median of the completed stays, in hours.' }),
    stays: z.number().int().min(1).meta({ description: 'How many completed stays the median is taken over.' }),
  }),
  'How long cases stayed in a state: completed stays only (a case still in the state is not yet a measurement).',
);

export const FunnelCountsSchema = named(
  'FunnelCounts',
  z.strictObject({
    listed: count.meta({ description: 'Cases listed.' }),
    offered: count.meta({ description: 'Cases with at least one offer made.' }),
    chosen: count.meta({ description: 'Cases where the patient accepted an offer.' }),
    approved: count.meta({ description: 'Cases where both managers approved the transfer.' }),
    transferred: count.meta({ description: 'Cases transferred.' }),
    declined: breakdown(
      DECLINE_REASONS,
      {
        DECLINED_ALL: 'The patient declined every offer.',
        STAYED_LOCAL: 'The patient chose to stay with their own hospital.',
        ORIGIN_RELEASE_REJECTED: 'The origin trust’s manager would not release the patient.',
        RECEIVING_ACCEPTANCE_REJECTED: 'The receiving provider’s manager would not accept the patient.',
      },
      'Moves that did not go ahead after offers, by why.',
    ),
    timedOut: breakdown(
      TIMEOUT_KINDS,
      {
        NO_OFFERS: 'An offer window closed with no offers.',
        OFFER_EXPIRED: 'A live offer passed its validity.',
        CHOICE_LAPSED: 'The patient’s choice deadline passed.',
        APPROVAL_LAPSED: 'The managers’ approval deadline (and its grace) passed.',
        MATCH_DEADLINE: 'A patient-initiated case was not approved by its match deadline.',
      },
      'Clocks that ran out with nobody deciding, by which clock.',
    ),
    withdrawn: breakdown(
      WITHDRAW_REASONS,
      Object.fromEntries(WITHDRAW_REASONS.map((reason) => [reason, `Withdrawn: ${reason}.`])) as Record<
        (typeof WITHDRAW_REASONS)[number],
        string
      >,
      'Cases withdrawn by the origin trust, by the reason it gave.',
    ),
    inProgress: count.meta({ description: 'Cases not yet transferred, withdrawn or closed.' }),
    timeInState: z
      .strictObject(
        Object.fromEntries(STAY_STATES.map((state) => [state, FunnelStaySchema.optional()])) as Record<
          (typeof STAY_STATES)[number],
          z.ZodOptional<typeof FunnelStaySchema>
        >,
      )
      .meta({
        description: 'The median time in each state a case can leave; a state with no completed stay is absent.',
      }),
  }),
  'How many cases reached each stage, at least once and in any round, so stages are not exclusive: a case declined ' +
    'in round 1 and transferred in round 2 counts under both.',
);

export const FunnelWeekSchema = named(
  'FunnelWeek',
  z.strictObject({
    specialtyCode: z.string(),
    specialtyName: z.string(),
    weekStarting: calendarDay.meta({
      description: 'The Monday of the week (in England) the cases were listed in: they are followed to today.',
    }),
    ...FunnelCountsSchema.shape,
  }),
  'The cases of one specialty listed in one week, and how far they got.',
);

export const FunnelSchema = named(
  'Funnel',
  z.strictObject({
    organisationOds: z.string().meta({ description: 'Your API key’s organisation, whose cases these are.' }),
    // Described in words below: a named schema given its own description would lose its name.
    totals: FunnelCountsSchema,
    items: z.array(FunnelWeekSchema).meta({ description: 'By specialty, then week.' }),
  }),
  'Where your trust’s journeys stall: per specialty and week of listing (`items`), and `totals` over every case ' +
    'the filters select.',
);

// ─── The waiting-list upload ─────────────────────────────────────────────────

const row = z.number().int().min(2).meta({ description: 'The line in the file; the header is line 1.' });
const RowCaseSchema = named('UploadRowCase', z.strictObject({ row, caseRef: z.string() }));
const RowErrorSchema = named(
  'UploadRowError',
  z.strictObject({
    row,
    field: z.string().meta({ description: 'The column, or `(row)` for the row as a whole.' }),
    message: z.string().meta({ description: 'What is wrong, never repeating the value.' }),
  }),
);

export const WaitingListReportSchema = named(
  'WaitingListReport',
  z.strictObject({
    uploadId: z.uuid().meta({ description: 'Names the upload in the audit log.' }),
    complete: z.boolean().meta({ description: 'Every row was listed or was already listed.' }),
    summary: z.strictObject({
      rows: count.meta({ description: 'Data rows read (0 when the file was refused as a whole).' }),
      listed: count,
      alreadyListed: count,
      invalidRows: count,
      notListed: count,
    }),
    listed: z.array(RowCaseSchema).meta({ description: 'Rows listed now, with their new case.' }),
    alreadyListed: z
      .array(RowCaseSchema)
      .meta({ description: 'Patients your trust already has a live case for: not listed again.' }),
    invalid: z.array(RowErrorSchema).meta({ description: 'One entry per problem; a row may have several.' }),
    notListed: z.array(z.strictObject({ row, message: z.string() })).meta({
      description: 'Valid rows the upload stopped before (see fileErrors): upload the same file again.',
    }),
    fileErrors: z
      .array(z.strictObject({ code: z.string(), message: z.string() }))
      .meta({ description: 'Problems with the file as a whole, or with who is uploading: nothing was listed.' }),
  }),
  'What happened to each row of an uploaded waiting list: row numbers, columns, case references and our own ' +
    'messages, never a value from the file.',
);

export const WaitingListRefusalSchema = named(
  'WaitingListRefusal',
  z.strictObject({
    code: z.string().meta({ description: 'The first file error’s code, such as CSV.BAD_HEADER.' }),
    message: z.string().meta({ description: 'The file errors, in words a person can act on.' }),
    ...WaitingListReportSchema.shape,
  }),
  'An upload refused as a whole, or stopped part-way: an error with the upload’s report.',
);

// ─── Patient-initiated requests ──────────────────────────────────────────────

export const PatientInvitedSchema = named(
  'PatientInvited',
  z.strictObject({
    requestId: z.uuid(),
    ref: z.string().meta({ description: 'How staff name the request, such as PR-1A2B3C4D.' }),
    url: z.url().meta({
      description:
        'The patient’s link, signed and expiring: send it to the patient by your usual means. Shown only here, like ' +
        'a secret: it cannot be read back.',
    }),
    expiresAt: dateTime,
    eligible: z.boolean(),
    reasons: z.array(z.string()).meta({
      description: 'Why the patient is not eligible under your rules, written to the patient: their link shows them.',
    }),
  }),
  'An invitation issued.',
);

export const PatientRequestSchema = named(
  'PatientRequest',
  z.strictObject({
    requestId: z.uuid(),
    ref: z.string(),
    status: z.enum(PATIENT_REQUEST_STATUSES).meta({
      description:
        'INVITED: waiting for the patient. INELIGIBLE: not eligible under your rules. REQUESTED: the patient asked ' +
        'to move; your clinicians judge the move. LISTED: judged appropriate and listed (see caseRef). ' +
        'NOT_APPROPRIATE: judged not appropriate. EXPIRED: not answered in time.',
    }),
    specialtyCode: z.string(),
    specialtyName: z.string(),
    weeksWaiting: z.number().int().meta({ description: 'Whole weeks since the RTT clock start.' }),
    invitedAt: dateTime,
    expiresAt: dateTime.meta({ description: 'When the patient’s link stops taking an answer.' }),
    respondedAt: dateTime.nullable(),
    maxTravelMiles: z.number().int().nullable().meta({
      description: 'The patient’s answer; null with respondedAt set: anywhere in England.',
    }),
    caseRef: z.string().nullable().meta({ description: 'The case listed for the request, once listed.' }),
    ineligibleReasons: z.array(z.string()),
  }),
  'A patient-initiated request: no patient identifier, and never the patient’s link.',
);

export const PatientRequestPageSchema = named(
  'PatientRequestPage',
  z.strictObject({ items: z.array(PatientRequestSchema), nextCursor: z.string().nullable() }),
);

export type CaseSummary = z.infer<typeof CaseSummarySchema>;
export type CaseDetail = z.infer<typeof CaseDetailSchema>;
export type Offer = z.infer<typeof OfferSchema>;
export type OfferListItem = z.infer<typeof OfferListItemSchema>;
export type Posting = z.infer<typeof PostingSchema>;
export type FunnelCountsView = z.infer<typeof FunnelCountsSchema>;
export type FunnelWeekView = z.infer<typeof FunnelWeekSchema>;
export type WaitingListReportView = z.infer<typeof WaitingListReportSchema>;
export type PatientRequestView = z.infer<typeof PatientRequestSchema>;
