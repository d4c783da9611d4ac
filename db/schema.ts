/**
 * The mutual-aid database: organisations and their sites, people and their
 * chat identities, cases and the patient details behind them, offers,
 * choices, approvals, transfer datasets, the notification outbox and the
 * append-only audit log. Constraints live here, beside their columns.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { CARE_TYPES, DIAGNOSTIC_MODALITIES, ORGANISATION_KINDS, PRIORITIES, REGIONS, ROLES } from '../domain/codes';
import {
  CASE_STATES,
  OFFER_STATUSES,
  APPROVAL_SIDES,
  CHOICE_OUTCOMES,
  CHAT_PLATFORMS,
  POSTING_STATUSES,
  CASE_ROUTES,
} from '../domain/journey-states';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const organisationKind = pgEnum('organisation_kind', ORGANISATION_KINDS);
export const region = pgEnum('region', REGIONS);
export const role = pgEnum('role', ROLES);
export const careType = pgEnum('care_type', CARE_TYPES);
export const diagnosticModality = pgEnum('diagnostic_modality', DIAGNOSTIC_MODALITIES);
export const priority = pgEnum('priority', PRIORITIES);
export const caseState = pgEnum('case_state', CASE_STATES);
export const offerStatus = pgEnum('offer_status', OFFER_STATUSES);
export const approvalSide = pgEnum('approval_side', APPROVAL_SIDES);
export const choiceOutcome = pgEnum('choice_outcome', CHOICE_OUTCOMES);
export const chatPlatform = pgEnum('chat_platform', CHAT_PLATFORMS);
export const postingStatus = pgEnum('posting_status', POSTING_STATUSES);

/** Reference: RTT treatment function codes. */
export const treatmentFunctions = pgTable('treatment_functions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

/** Reference: UK postcode districts with centroid coordinates (OS OpenData, OGL v3). */
export const postcodeDistricts = pgTable('postcode_districts', {
  outcode: text('outcode').primaryKey(),
  latitude: doublePrecision('latitude').notNull(),
  longitude: doublePrecision('longitude').notNull(),
  town: text('town'),
  county: text('county'),
  country: text('country').notNull(),
});

export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    odsCode: text('ods_code').notNull().unique(),
    name: text('name').notNull(),
    kind: organisationKind('kind').notNull(),
    region: region('region').notNull(),
    createdAt: createdAt(),
  },
  (t) => [check('organisations_ods_code_format', sql`${t.odsCode} ~ '^[A-Z0-9]{3,6}$'`)],
);

export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    siteCode: text('site_code').notNull().unique(),
    name: text('name').notNull(),
    town: text('town').notNull(),
    postcode: text('postcode').notNull(),
    outcode: text('outcode')
      .notNull()
      .references(() => postcodeDistricts.outcode),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    maxBmi: numeric('max_bmi', { precision: 4, scale: 1, mode: 'number' }).notNull(),
    maxAsa: smallint('max_asa').notNull(),
    hasCriticalCare: boolean('has_critical_care').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('sites_max_asa_range', sql`${t.maxAsa} between 1 and 4`),
    check('sites_max_bmi_range', sql`${t.maxBmi} between 10 and 80`),
    index('sites_organisation_idx').on(t.organisationId),
  ],
);

export const people = pgTable('people', {
  id: uuid('id').primaryKey().defaultRandom(),
  displayName: text('display_name').notNull(),
  email: text('email').unique(),
  createdAt: createdAt(),
});

/** A Slack user in a workspace, or a Teams user in a tenant, is one person. */
export const chatIdentities = pgTable(
  'chat_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    platform: chatPlatform('platform').notNull(),
    /** Slack team id or Teams (AAD) tenant id. */
    workspaceId: text('workspace_id').notNull(),
    /** Slack user id or AAD object id. */
    externalUserId: text('external_user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('chat_identities_external_uq').on(t.platform, t.workspaceId, t.externalUserId)],
);

export const memberships = pgTable(
  'memberships',
  {
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    role: role('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.personId, t.organisationId, t.role] }),
    index('memberships_organisation_role_idx').on(t.organisationId, t.role),
  ],
);

/** States a case never leaves; outside them a patient has at most one live listing per origin trust. */
export const TERMINAL_CASE_STATES_SQL = sql.raw(`'WITHDRAWN', 'CLOSED', 'TRANSFERRED'`);

/**
 * A listed patient, pseudonymous apart from the NHS number kept for the one-live-listing rule.
 * Matching's ranking index (cases_open_rank_idx, partial, with INCLUDE columns)
 * lives in the custom migration 0005_matching_indexes, beside the distance functions it is used with.
 */
export const cases = pgTable(
  'cases',
  {
    caseRef: text('case_ref').primaryKey(),
    originOrgId: uuid('origin_org_id')
      .notNull()
      .references(() => organisations.id),
    /** Never logged, never sent to chat or Temporal. */
    nhsNumber: text('nhs_number').notNull(),
    specialtyCode: text('specialty_code')
      .notNull()
      .references(() => treatmentFunctions.code),
    procedure: text('procedure').notNull(),
    opcsCode: text('opcs_code'),
    careType: careType('care_type').notNull(),
    diagnosticModality: diagnosticModality('diagnostic_modality'),
    priority: priority('priority').notNull(),
    rttClockStart: date('rtt_clock_start').notNull(),
    bmi: numeric('bmi', { precision: 4, scale: 1, mode: 'number' }).notNull(),
    asa: smallint('asa').notNull(),
    ageBand: text('age_band').notNull(),
    needsCriticalCare: boolean('needs_critical_care').notNull(),
    outcode: text('outcode')
      .notNull()
      .references(() => postcodeDistricts.outcode),
    /** The district's centroid, copied at listing so matching can index the patient's reach. */
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    /** Null: anywhere in England. */
    maxTravelMiles: integer('max_travel_miles'),
    travelNeeds: text('travel_needs')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    appropriatenessJudgedBy: uuid('appropriateness_judged_by')
      .notNull()
      .references(() => people.id),
    listedBy: uuid('listed_by')
      .notNull()
      .references(() => people.id),
    listedAt: timestamp('listed_at', { withTimezone: true }).notNull().defaultNow(),
    state: caseState('state').notNull().default('LISTED'),
    stateChangedAt: timestamp('state_changed_at', { withTimezone: true }).notNull().defaultNow(),
    round: integer('round').notNull().default(1),
    closedReason: text('closed_reason'),
    declinedOfferCount: integer('declined_offer_count').notNull().default(0),
    flaggedForReviewAt: timestamp('flagged_for_review_at', { withTimezone: true }),
    /** STAFF: listed by the trust; PATIENT_INITIATED: the patient asked, through their invitation. */
    route: text('route', { enum: CASE_ROUTES }).notNull().default('STAFF'),
    /** Until then only providers in the origin trust's region are matched; null: matched nationally from the start. */
    nationalFrom: timestamp('national_from', { withTimezone: true }),
  },
  (t) => [
    check('cases_case_ref_format', sql`${t.caseRef} ~ '^MA-[0-9A-HJKMNP-TV-Z]{8}$'`),
    check('cases_nhs_number_format', sql`${t.nhsNumber} ~ '^[0-9]{10}$'`),
    check('cases_bmi_range', sql`${t.bmi} between 10 and 80`),
    check('cases_asa_range', sql`${t.asa} between 1 and 4`),
    check('cases_max_travel_positive', sql`${t.maxTravelMiles} is null or ${t.maxTravelMiles} > 0`),
    check('cases_modality_iff_diagnostic', sql`(${t.careType} = 'DIAGNOSTIC') = (${t.diagnosticModality} is not null)`),
    check('cases_route', sql`${t.route} in ('STAFF', 'PATIENT_INITIATED')`),
    uniqueIndex('cases_one_live_listing_per_patient')
      .on(t.originOrgId, t.nhsNumber)
      .where(sql`${t.state} not in (${TERMINAL_CASE_STATES_SQL})`),
    index('cases_state_idx').on(t.state),
    // A trust's own cases, longest wait first (the operator API's case list) and by week listed (the funnel).
    index('cases_origin_wait_idx').on(t.originOrgId, t.rttClockStart, t.caseRef),
    index('cases_origin_listed_idx').on(t.originOrgId, t.listedAt),
  ],
);

/**
 * Spare capacity a provider posts for one of its sites: what it can treat,
 * how many patients, when, and the clinical limits of that capacity.
 * Matching's partial index on open postings (capacity_postings_open_match_idx)
 * lives in the custom migration 0005_matching_indexes.
 */
export const capacityPostings = pgTable(
  'capacity_postings',
  {
    id: uuid('id').primaryKey(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    specialtyCode: text('specialty_code')
      .notNull()
      .references(() => treatmentFunctions.code),
    careType: careType('care_type').notNull(),
    diagnosticModality: diagnosticModality('diagnostic_modality'),
    /** OPCS-4 codes or code prefixes covered (`W37`, `W38.1`); empty: any procedure in the specialty. */
    procedureCodes: text('procedure_codes')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    slots: integer('slots').notNull(),
    slotsFilled: integer('slots_filled').notNull().default(0),
    availableFrom: date('available_from').notNull(),
    availableUntil: date('available_until').notNull(),
    maxBmi: numeric('max_bmi', { precision: 4, scale: 1, mode: 'number' }).notNull(),
    maxAsa: smallint('max_asa').notNull(),
    minAge: smallint('min_age').notNull().default(18),
    maxAge: smallint('max_age').notNull().default(120),
    hasCriticalCare: boolean('has_critical_care').notNull(),
    status: postingStatus('status').notNull().default('OPEN'),
    postedBy: uuid('posted_by')
      .notNull()
      .references(() => people.id),
    postedAt: timestamp('posted_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('capacity_postings_slots', sql`${t.slots} > 0 and ${t.slotsFilled} between 0 and ${t.slots}`),
    check('capacity_postings_dates', sql`${t.availableUntil} >= ${t.availableFrom}`),
    check('capacity_postings_max_bmi_range', sql`${t.maxBmi} between 10 and 80`),
    check('capacity_postings_max_asa_range', sql`${t.maxAsa} between 1 and 4`),
    check('capacity_postings_ages', sql`${t.minAge} between 0 and 120 and ${t.maxAge} between ${t.minAge} and 120`),
    check(
      'capacity_postings_modality_iff_diagnostic',
      sql`(${t.careType} = 'DIAGNOSTIC') = (${t.diagnosticModality} is not null)`,
    ),
    index('capacity_postings_site_idx').on(t.siteId),
    // A provider's own postings, newest first (the operator API's capacity list).
    index('capacity_postings_organisation_idx').on(t.organisationId, t.postedAt, t.id),
  ],
);

/** Identifiable details: reach only the patient's own page and, after approval, the two trusts' managers. */
export const patients = pgTable('patients', {
  caseRef: text('case_ref')
    .primaryKey()
    .references(() => cases.caseRef),
  givenName: text('given_name').notNull(),
  familyName: text('family_name').notNull(),
  dateOfBirth: date('date_of_birth').notNull(),
  postcode: text('postcode').notNull(),
  localPatientId: text('local_patient_id').notNull(),
  gpPracticeCode: text('gp_practice_code').notNull(),
  referringOrgOds: text('referring_org_ods').notNull(),
  ppid: text('ppid').notNull(),
  ppidIssuerOds: text('ppid_issuer_ods').notNull(),
});

export const offers = pgTable(
  'offers',
  {
    id: uuid('id').primaryKey(),
    caseRef: text('case_ref')
      .notNull()
      .references(() => cases.caseRef),
    round: integer('round').notNull(),
    providerOrgId: uuid('provider_org_id')
      .notNull()
      .references(() => organisations.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    proposedDate: date('proposed_date').notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    clinicalTeam: text('clinical_team').notNull(),
    notes: text('notes'),
    status: offerStatus('status').notNull().default('LIVE'),
    madeBy: uuid('made_by')
      .notNull()
      .references(() => people.id),
    madeAt: timestamp('made_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('offers_one_live_offer_per_provider')
      .on(t.caseRef, t.providerOrgId)
      .where(sql`${t.status} = 'LIVE'`),
    check('offers_valid_after_made', sql`${t.validUntil} > ${t.madeAt}`),
    check('offers_closed_when_not_live', sql`(${t.status} = 'LIVE') = (${t.closedAt} is null)`),
    index('offers_case_idx').on(t.caseRef),
    // Matching's offers_provider_case_idx (provider_org_id, case_ref) lives in migration 0005_matching_indexes.
  ],
);

/** The patient's decision in a round: one offer, decline them all, or stay with the local hospital. */
export const choices = pgTable(
  'choices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseRef: text('case_ref')
      .notNull()
      .references(() => cases.caseRef),
    round: integer('round').notNull(),
    outcome: choiceOutcome('outcome').notNull(),
    offerId: uuid('offer_id').references(() => offers.id),
    /** Null when the patient chose through their own link. */
    recordedBy: uuid('recorded_by').references(() => people.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('choices_one_per_round').on(t.caseRef, t.round),
    check('choices_offer_iff_accepted', sql`(${t.outcome} = 'ACCEPTED_OFFER') = (${t.offerId} is not null)`),
  ],
);

export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseRef: text('case_ref')
      .notNull()
      .references(() => cases.caseRef),
    offerId: uuid('offer_id')
      .notNull()
      .references(() => offers.id),
    side: approvalSide('side').notNull(),
    approved: boolean('approved').notNull(),
    reason: text('reason'),
    decidedBy: uuid('decided_by')
      .notNull()
      .references(() => people.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('approvals_one_per_side').on(t.offerId, t.side),
    check('approvals_rejection_has_reason', sql`${t.approved} or coalesce(length(trim(${t.reason})), 0) > 0`),
  ],
);

/** The Inter-Provider Transfer minimum data set, for the receiving provider's managers only. */
export const transferDatasets = pgTable('transfer_datasets', {
  caseRef: text('case_ref')
    .primaryKey()
    .references(() => cases.caseRef),
  receivingOrgId: uuid('receiving_org_id')
    .notNull()
    .references(() => organisations.id),
  dataset: jsonb('dataset').notNull(),
  createdAt: createdAt(),
});

/** Channel-neutral messages waiting for the Slack and Teams senders; one row per idempotency key. */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    caseRef: text('case_ref').references(() => cases.caseRef),
    kind: text('kind').notNull(),
    audience: jsonb('audience').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    index('notification_outbox_undelivered_idx')
      .on(t.createdAt)
      .where(sql`${t.deliveredAt} is null`),
  ],
);

/**
 * Where an audience hears about cases in chat: a Slack channel (or Teams
 * conversation) linked to one organisation's role (its clinicians, managers or
 * coordinators) or to a region's escalation leads.
 */
export const chatChannels = pgTable(
  'chat_channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: chatPlatform('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    /** Slack channel id, or Teams conversation id. */
    channelId: text('channel_id').notNull(),
    organisationId: uuid('organisation_id').references(() => organisations.id),
    role: role('role'),
    region: region('region'),
    /** Teams only: the stored conversation reference a proactive send needs. */
    conversationReference: jsonb('conversation_reference'),
    linkedBy: uuid('linked_by').references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'chat_channels_one_audience',
      sql`(${t.organisationId} is not null and ${t.role} is not null and ${t.region} is null)
        or (${t.organisationId} is null and ${t.role} is null and ${t.region} is not null)`,
    ),
    uniqueIndex('chat_channels_org_role_uq')
      .on(t.platform, t.workspaceId, t.channelId, t.organisationId, t.role)
      .where(sql`${t.organisationId} is not null`),
    uniqueIndex('chat_channels_region_uq')
      .on(t.platform, t.workspaceId, t.channelId, t.region)
      .where(sql`${t.region} is not null`),
    index('chat_channels_organisation_idx').on(t.organisationId, t.role),
  ],
);

/**
 * A Teams conversation the bot was installed in (a person's personal chat, a
 * team channel or a group chat), with the conversation reference a proactive
 * send needs. Captured from conversationUpdate and installationUpdate.
 */
export const chatConversations = pgTable(
  'chat_conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: chatPlatform('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    /** personal, channel or groupChat. */
    conversationType: text('conversation_type').notNull(),
    /** For a personal chat: the chat user it is with (their AAD object id). */
    externalUserId: text('external_user_id'),
    reference: jsonb('reference').notNull(),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('chat_conversations_uq').on(t.platform, t.conversationId),
    index('chat_conversations_user_idx').on(t.platform, t.workspaceId, t.externalUserId),
  ],
);

/**
 * One row per notification delivered to one chat channel: a retried send
 * finds its row and posts nothing twice; the message reference lets a later
 * action update the card in place.
 */
export const chatDeliveries = pgTable(
  'chat_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationKey: text('notification_key').notNull(),
    platform: chatPlatform('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** Slack message ts, or Teams activity id. */
    messageRef: text('message_ref').notNull(),
    caseRef: text('case_ref'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('chat_deliveries_once_uq').on(t.notificationKey, t.platform, t.workspaceId, t.channelId),
    // Every click on a card finds the notification behind it by where the message is.
    index('chat_deliveries_message_idx').on(t.platform, t.workspaceId, t.channelId, t.messageRef),
    index('chat_deliveries_case_idx').on(t.caseRef),
  ],
);

/**
 * A notification that could not be delivered to one chat target and will not
 * be tried again: the platform said it never can be (the channel is gone,
 * the bot was removed, the token revoked), or every attempt failed. An
 * operator sees these (`npm run dead-letters`) and resolves them.
 */
export const notificationDeadLetters = pgTable(
  'notification_dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationKey: text('notification_key').notNull(),
    kind: text('kind').notNull(),
    caseRef: text('case_ref'),
    platform: chatPlatform('platform').notNull(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** PERMANENT: the platform refused for good; RETRIES_EXHAUSTED: every attempt failed. */
    reason: text('reason').notNull(),
    /** The platform's error code (`channel_not_found`, HTTP 403…): never a message body. */
    errorCode: text('error_code').notNull(),
    attempts: integer('attempts').notNull(),
    createdAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by'),
  },
  (t) => [
    check('notification_dead_letters_reason', sql`${t.reason} in ('PERMANENT', 'RETRIES_EXHAUSTED')`),
    uniqueIndex('notification_dead_letters_once_uq').on(t.notificationKey, t.platform, t.workspaceId, t.channelId),
    index('notification_dead_letters_unresolved_idx')
      .on(t.createdAt)
      .where(sql`${t.resolvedAt} is null`),
  ],
);

/** A provider said "not for us" to a case (in the round recorded): matching never offers it the case again. */
export const providerPasses = pgTable(
  'provider_passes',
  {
    caseRef: text('case_ref')
      .notNull()
      .references(() => cases.caseRef),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    round: integer('round').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.caseRef, t.organisationId, t.round] })],
);

/**
 * A patient choice link handed to the listing team: signed and expiring in
 * its token, and usable once because its row records the use. A new link for
 * the same case supersedes the old one.
 */
export const patientLinks = pgTable(
  'patient_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseRef: text('case_ref')
      .notNull()
      .references(() => cases.caseRef),
    round: integer('round').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => people.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('patient_links_case_idx').on(t.caseRef)],
);

/**
 * A key a trust's own system uses for the operator API. It acts as one person
 * for one organisation (their roles there decide what it may do); only its
 * SHA-256 is kept, and its prefix names it in lists and the audit log.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    label: text('label').notNull(),
    keyPrefix: text('key_prefix').notNull().unique(),
    keyHash: text('key_hash').notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_organisation_idx').on(t.organisationId)],
);

export const PATIENT_REQUEST_STATUSES = [
  /** Invited: the patient has a link and has not answered. */
  'INVITED',
  /** Not eligible under the trust's rules: the patient's link explains why. */
  'INELIGIBLE',
  /** The patient said how far they will travel; the origin team is asked to confirm. */
  'REQUESTED',
  /** The origin team judged the move appropriate and the case is listed. */
  'LISTED',
  /** The origin team judged the move not appropriate; the patient keeps their place. */
  'NOT_APPROPRIATE',
  /** The patient did not answer before the invitation expired. */
  'EXPIRED',
] as const;
export type PatientRequestStatus = (typeof PATIENT_REQUEST_STATUSES)[number];

/**
 * Patient-initiated mutual aid: a trust invites an eligible patient with a
 * signed link; the patient says how far they will travel; the origin team
 * confirms the move is appropriate; then the case is listed. The listing's
 * details wait here (identifiers included, like `patients`) until then.
 */
export const patientRequests = pgTable(
  'patient_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    originOrgId: uuid('origin_org_id')
      .notNull()
      .references(() => organisations.id),
    /** Never logged, never sent to chat or Temporal. */
    nhsNumber: text('nhs_number').notNull(),
    specialtyCode: text('specialty_code')
      .notNull()
      .references(() => treatmentFunctions.code),
    /** The validated listing, without the travel answer and the clinician's judgement. */
    listing: jsonb('listing').notNull(),
    status: text('status').notNull().default('INVITED'),
    ineligibleReasons: text('ineligible_reasons')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    invitedBy: uuid('invited_by')
      .notNull()
      .references(() => people.id),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** The patient's answer; null with a response: anywhere in England. */
    maxTravelMiles: integer('max_travel_miles'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => people.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    caseRef: text('case_ref').references(() => cases.caseRef),
    /**
     * The API's Idempotency-Key, scoped to the API key that sent it (`api:<key id>:<key>`); null without one.
     * Honoured while the link can be used; once it has expired, the key sent again moves to a new invitation.
     */
    idempotencyKey: text('idempotency_key'),
    /** HMAC-SHA256 of the invitation's body, keyed by PATIENT_LINK_SECRET: the same key must come with the same body. */
    idempotencyFingerprint: text('idempotency_fingerprint'),
  },
  (t) => [
    check('patient_requests_idempotency', sql`(${t.idempotencyKey} is null) = (${t.idempotencyFingerprint} is null)`),
    uniqueIndex('patient_requests_idempotency_key').on(t.idempotencyKey),
    check(
      'patient_requests_status',
      sql`${t.status} in ('INVITED', 'INELIGIBLE', 'REQUESTED', 'LISTED', 'NOT_APPROPRIATE', 'EXPIRED')`,
    ),
    check('patient_requests_nhs_number_format', sql`${t.nhsNumber} ~ '^[0-9]{10}$'`),
    uniqueIndex('patient_requests_one_open_per_patient')
      .on(t.originOrgId, t.nhsNumber)
      .where(sql`${t.status} in ('INVITED', 'REQUESTED')`),
    index('patient_requests_origin_status_idx').on(t.originOrgId, t.status),
  ],
);

/** Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (see the audit_log_append_only migration). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    caseRef: text('case_ref'),
    action: text('action').notNull(),
    outcome: text('outcome').notNull(),
    actorPersonId: uuid('actor_person_id'),
    actorKind: text('actor_kind').notNull(),
    organisationId: uuid('organisation_id'),
    channel: text('channel').notNull(),
    /** Codes and references only: never a patient identifier. */
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
    idempotencyKey: text('idempotency_key').unique(),
  },
  (t) => [
    check('audit_log_outcome', sql`${t.outcome} in ('OK', 'REFUSED')`),
    check('audit_log_actor_kind', sql`${t.actorKind} in ('PERSON', 'PATIENT', 'SYSTEM')`),
    index('audit_log_case_idx').on(t.caseRef, t.id),
  ],
);

export type Organisation = typeof organisations.$inferSelect;
export type Site = typeof sites.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type OfferRow = typeof offers.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type CapacityPostingRow = typeof capacityPostings.$inferSelect;
export type ChatChannelRow = typeof chatChannels.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type PatientRequestRow = typeof patientRequests.$inferSelect;

/**
 * Signatures of the Slack requests taken in the last few minutes: Slack signs
 * each request with its timestamp, and Bolt refuses one over five minutes
 * old, so a request sent again byte for byte within that window is found
 * here and refused (bot/slack/replay-guard.ts).
 */
export const slackRequestsSeen = pgTable(
  'slack_requests_seen',
  {
    signature: text('signature').primaryKey(),
    /** Until Bolt would refuse the request as stale anyway: its own timestamp plus Slack's five minutes. */
    rememberedUntil: timestamp('remembered_until', { withTimezone: true }).notNull(),
  },
  (t) => [index('slack_requests_seen_until_idx').on(t.rememberedUntil)],
);
