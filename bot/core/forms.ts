/**
 * The forms the bot opens (offer, reject, patient's choice, withdraw, list a
 * patient, post or edit capacity) as channel-neutral definitions, and the
 * parsing of what comes back into the inputs the clients take. Field ids are
 * the domain's field names, so a validation error lands on its field.
 */
import { CARE_TYPES, DIAGNOSTIC_MODALITIES, PRIORITIES, TRAVEL_NEEDS, TREATMENT_FUNCTIONS } from '../../domain/codes';
import { type WITHDRAW_REASONS } from '../../domain/journey-states';
import { MAX_NOTES_LENGTH, MAX_REASON_LENGTH, MAX_TEAM_LENGTH } from '../../workflows/contract';
import type { ChatForm, FieldOption, FieldProblem, FormContext, FormField, FormValues } from './message';

const DAY_MS = 86_400_000;

export const humanise = (code: string): string => {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const codeOptions = (codes: readonly string[]): FieldOption[] =>
  codes.map((code) => ({ value: code, label: humanise(code) }));

export const SPECIALTY_OPTIONS: FieldOption[] = Object.entries(TREATMENT_FUNCTIONS).map(([code, name]) => ({
  value: code,
  label: `${code} ${name}`,
}));

const YES_NO: FieldOption[] = [
  { value: 'no', label: 'No' },
  { value: 'yes', label: 'Yes' },
];

export const WITHDRAW_REASON_WORDS: Record<(typeof WITHDRAW_REASONS)[number], string> = {
  TREATED_LOCALLY: 'Treated locally',
  NO_LONGER_NEEDED: 'No longer needed',
  PATIENT_CHANGED_MIND: 'Patient changed their mind',
  CLINICAL_CHANGE: 'Clinical picture changed',
  OTHER: 'Other',
};

// ─── Offer ────────────────────────────────────────────────────────────────────

export interface OfferChoices {
  sites: { id: string; name: string; town: string }[];
  /** The provider's open postings that can take this case: a slot to offer from. */
  postings: { postingId: string; siteId: string; siteName: string; availableFrom: string; availableUntil: string }[];
  maxOfferValidityMs: number;
}

/** How long an offer may stay open: whole days up to the policy's limit, or the limit itself when shorter. */
export function validityOptions(maxOfferValidityMs: number): FieldOption[] {
  const days = [1, 3, 5, 7, 14, 21, 28].filter((d) => d * DAY_MS <= maxOfferValidityMs);
  if (days.length === 0) return [{ value: String(maxOfferValidityMs), label: `${maxOfferValidityMs / 1000} seconds` }];
  return days.map((d) => ({ value: String(d * DAY_MS), label: d === 1 ? '1 day' : `${d} days` }));
}

export function offerForm(caseRef: string, choices: OfferChoices, context: FormContext): ChatForm {
  const validity = validityOptions(choices.maxOfferValidityMs);
  const fields: FormField[] = [
    {
      id: 'siteId',
      label: 'Site',
      kind: 'select',
      required: true,
      options: choices.sites.map((site) => ({ value: site.id, label: `${site.name}, ${site.town}` })),
      initial: choices.postings[0]?.siteId ?? (choices.sites.length === 1 ? choices.sites[0]!.id : undefined),
    },
  ];
  if (choices.postings.length > 0) {
    fields.push({
      id: 'postingId',
      label: 'From your posted capacity (optional)',
      kind: 'select',
      required: false,
      options: choices.postings.map((posting) => ({
        value: posting.postingId,
        label: `${posting.siteName}, ${posting.availableFrom} to ${posting.availableUntil}`,
      })),
      hint: 'Choosing a slot fills in the site, and the date if you leave it empty.',
    });
  }
  fields.push(
    {
      id: 'proposedDate',
      label: 'Proposed treatment date',
      kind: 'date',
      required: choices.postings.length === 0,
      hint: choices.postings.length > 0 ? 'Leave empty to offer the first date of the slot you chose.' : undefined,
    },
    {
      id: 'validFor',
      label: 'Offer open for',
      kind: 'select',
      required: true,
      options: validity,
      initial: validity[Math.min(2, validity.length - 1)]!.value,
    },
    { id: 'clinicalTeam', label: 'Treating clinical team', kind: 'text', required: true, maxLength: MAX_TEAM_LENGTH },
    {
      id: 'notes',
      label: 'Notes for the listing team (optional)',
      kind: 'multiline',
      required: false,
      maxLength: MAX_NOTES_LENGTH,
      hint: 'No patient details: the case reference is enough.',
    },
  );
  return {
    id: 'OFFER',
    title: 'Offer treatment',
    submitLabel: 'Make offer',
    intro: `Offer to treat ${caseRef}. The listing team sees your site, date and team.`,
    fields,
    context: { ...context, caseRef },
  };
}

export interface OfferSubmission {
  siteId: string;
  proposedDate: string;
  validUntil: string;
  clinicalTeam: string;
  notes?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseOffer(values: FormValues, choices: OfferChoices, now: Date): Parsed<OfferSubmission> {
  const errors: FieldProblem[] = [];
  const posting = choices.postings.find((p) => p.postingId === values.postingId);
  if (values.postingId && !posting) errors.push({ field: 'postingId', message: 'Choose one of your open postings' });
  const siteId = values.siteId ?? posting?.siteId;
  if (!siteId || !choices.sites.some((site) => site.id === siteId)) {
    errors.push({ field: 'siteId', message: 'Choose one of your organisation’s sites' });
  } else if (posting && posting.siteId !== siteId) {
    errors.push({ field: 'postingId', message: 'That slot is at another site: choose the same site or no slot' });
  }
  const today = now.toISOString().slice(0, 10);
  const proposedDate =
    values.proposedDate || (posting ? (posting.availableFrom > today ? posting.availableFrom : today) : undefined);
  if (!proposedDate) errors.push({ field: 'proposedDate', message: 'Give the date you propose to treat' });
  else if (!DATE.test(proposedDate)) errors.push({ field: 'proposedDate', message: 'Give a date as YYYY-MM-DD' });
  const validForMs = Number(values.validFor);
  if (!validityOptions(choices.maxOfferValidityMs).some((option) => Number(option.value) === validForMs)) {
    errors.push({ field: 'validFor', message: 'Choose how long the offer stays open' });
  }
  const clinicalTeam = values.clinicalTeam?.trim() ?? '';
  if (!clinicalTeam) errors.push({ field: 'clinicalTeam', message: 'Name the clinical team that will treat' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      siteId: siteId!,
      proposedDate: proposedDate!,
      validUntil: new Date(now.getTime() + validForMs).toISOString(),
      clinicalTeam,
      notes: values.notes?.trim() || undefined,
    },
  };
}

// ─── Approvals, choices, withdrawal ───────────────────────────────────────────

export function rejectForm(caseRef: string, context: FormContext): ChatForm {
  return {
    id: 'REJECT_TRANSFER',
    title: 'Reject transfer',
    submitLabel: 'Reject',
    intro: `Reject the transfer of ${caseRef}. The reason is shown to both trusts' teams.`,
    fields: [
      {
        id: 'reason',
        label: 'Reason',
        kind: 'multiline',
        required: true,
        maxLength: MAX_REASON_LENGTH,
        hint: 'No patient details: the case reference is enough.',
      },
    ],
    context: { ...context, caseRef },
  };
}

export const DECLINE_ALL = 'DECLINE_ALL';
export const STAY_LOCAL = 'STAY_LOCAL';

export function choiceForm(
  caseRef: string,
  offers: { offerId: string; label: string }[],
  context: FormContext,
): ChatForm {
  return {
    id: 'RECORD_CHOICE',
    title: "Patient's choice",
    submitLabel: 'Record choice',
    intro: `Record what the patient chose for ${caseRef}, as they told you.`,
    fields: [
      {
        id: 'choice',
        label: 'The patient chose',
        kind: 'radio',
        required: true,
        options: [
          ...offers.map((offer) => ({ value: offer.offerId, label: offer.label })),
          { value: DECLINE_ALL, label: 'None of these offers' },
          { value: STAY_LOCAL, label: 'To stay with their local hospital' },
        ],
      },
    ],
    context: { ...context, caseRef },
  };
}

export function withdrawForm(caseRef: string, context: FormContext): ChatForm {
  return {
    id: 'WITHDRAW_CASE',
    title: 'Withdraw case',
    submitLabel: 'Withdraw',
    intro: `Withdraw ${caseRef} from mutual aid. Live offers are closed and providers are told.`,
    fields: [
      {
        id: 'reason',
        label: 'Reason',
        kind: 'select',
        required: true,
        options: Object.entries(WITHDRAW_REASON_WORDS).map(([value, label]) => ({ value, label })),
      },
    ],
    context: { ...context, caseRef },
  };
}

// ─── Listing ──────────────────────────────────────────────────────────────────

export function listingForm(
  originOds: string,
  clinicians: { personId: string; name: string }[],
  context: FormContext,
): ChatForm {
  const text = (id: string, label: string, hint?: string, required = true): FormField => ({
    id,
    label,
    kind: 'text',
    required,
    hint,
  });
  return {
    id: 'LIST_PATIENT',
    title: 'List a patient',
    submitLabel: 'List patient',
    intro:
      `List a patient of ${originOds} for mutual aid. Their details are stored in mutual aid's database only: ` +
      'chat messages show the case reference and clinical summary, never these details.',
    fields: [
      text('nhsNumber', 'NHS number', '10 digits'),
      text('givenName', 'Given name'),
      text('familyName', 'Family name'),
      { id: 'dateOfBirth', label: 'Date of birth', kind: 'date', required: true },
      text('postcode', 'Postcode', 'Full postcode, such as LS6 2AB'),
      text('localPatientId', 'Local patient identifier'),
      text('gpPracticeCode', 'GP practice code'),
      text('referringOrgOds', 'Referring organisation (ODS code)'),
      text('ppid', 'Patient pathway identifier'),
      text('ppidIssuerOds', 'Pathway identifier issuer (ODS code)'),
      { id: 'specialtyCode', label: 'Specialty', kind: 'select', required: true, options: SPECIALTY_OPTIONS },
      text('procedure', 'Procedure', 'As the provider will read it, such as "Total knee replacement"'),
      text('opcsCode', 'OPCS-4 code (optional)', 'Such as W40.1', false),
      { id: 'careType', label: 'Care type', kind: 'select', required: true, options: codeOptions(CARE_TYPES) },
      {
        id: 'diagnosticModality',
        label: 'Diagnostic test (diagnostics only)',
        kind: 'select',
        required: false,
        options: codeOptions(DIAGNOSTIC_MODALITIES),
      },
      { id: 'priority', label: 'Clinical priority', kind: 'select', required: true, options: codeOptions(PRIORITIES) },
      { id: 'rttClockStart', label: 'RTT clock start', kind: 'date', required: true },
      { id: 'bmi', label: 'BMI', kind: 'number', required: true },
      { id: 'asa', label: 'ASA grade', kind: 'select', required: true, options: codeOptions(['1', '2', '3', '4']) },
      { id: 'needsCriticalCare', label: 'Needs critical care', kind: 'radio', required: true, options: YES_NO },
      {
        id: 'maxTravelMiles',
        label: 'Furthest the patient will travel (miles)',
        kind: 'number',
        required: false,
        hint: 'Leave empty for anywhere in England',
      },
      {
        id: 'travelNeeds',
        label: 'Travel needs (optional)',
        kind: 'select',
        required: false,
        options: codeOptions(TRAVEL_NEEDS),
      },
      {
        id: 'appropriatenessJudgedBy',
        label: 'Clinician who judged the move appropriate',
        kind: 'select',
        required: true,
        options: clinicians.map((clinician) => ({ value: clinician.personId, label: clinician.name })),
      },
    ],
    context: { ...context },
  };
}

const numberOrText = (value: string | undefined): number | string | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
};

/** The listing as `validateListing` takes it: every field passed on for the domain to check and name. */
export function listingInput(originOds: string, values: FormValues): Record<string, unknown> {
  const maxTravel = numberOrText(values.maxTravelMiles);
  return {
    originOds,
    nhsNumber: values.nhsNumber,
    givenName: values.givenName,
    familyName: values.familyName,
    dateOfBirth: values.dateOfBirth,
    postcode: values.postcode,
    localPatientId: values.localPatientId,
    gpPracticeCode: values.gpPracticeCode,
    referringOrgOds: values.referringOrgOds,
    ppid: values.ppid,
    ppidIssuerOds: values.ppidIssuerOds,
    specialtyCode: values.specialtyCode,
    procedure: values.procedure,
    opcsCode: values.opcsCode || undefined,
    careType: values.careType,
    diagnosticModality: values.diagnosticModality || undefined,
    priority: values.priority,
    rttClockStart: values.rttClockStart,
    bmi: numberOrText(values.bmi),
    asa: numberOrText(values.asa),
    needsCriticalCare: values.needsCriticalCare === 'yes',
    maxTravelMiles: maxTravel ?? null,
    travelNeeds: values.travelNeeds ? [values.travelNeeds] : [],
    appropriatenessJudgedBy: values.appropriatenessJudgedBy,
  };
}

// ─── Capacity ─────────────────────────────────────────────────────────────────

export interface PostingFormInitial {
  siteId?: string;
  specialtyCode?: string;
  careType?: string;
  diagnosticModality?: string;
  procedureCodes?: string[];
  slots?: number;
  availableFrom?: string;
  availableUntil?: string;
  maxBmi?: number;
  maxAsa?: number;
  minAge?: number;
  maxAge?: number;
  hasCriticalCare?: boolean;
}

export function postingForm(
  sites: { id: string; name: string; town: string }[],
  context: FormContext,
  initial: PostingFormInitial = {},
  editing = false,
): ChatForm {
  const str = (value: number | string | undefined) => (value === undefined ? undefined : String(value));
  const fields: FormField[] = [
    {
      id: 'siteId',
      label: 'Site',
      kind: 'select',
      required: true,
      options: sites.map((site) => ({ value: site.id, label: `${site.name}, ${site.town}` })),
      initial: initial.siteId,
      hint: editing ? 'A posting stays with its site.' : undefined,
    },
    {
      id: 'specialtyCode',
      label: 'Specialty',
      kind: 'select',
      required: true,
      options: SPECIALTY_OPTIONS,
      initial: initial.specialtyCode,
    },
    {
      id: 'careType',
      label: 'Care type',
      kind: 'select',
      required: true,
      options: codeOptions(CARE_TYPES),
      initial: initial.careType,
    },
    {
      id: 'diagnosticModality',
      label: 'Diagnostic test (diagnostics only)',
      kind: 'select',
      required: false,
      options: codeOptions(DIAGNOSTIC_MODALITIES),
      initial: initial.diagnosticModality,
    },
    {
      id: 'procedureCodes',
      label: 'OPCS-4 codes or prefixes (optional)',
      kind: 'text',
      required: false,
      hint: 'Comma separated, such as W37, W38.1. Empty: any procedure in the specialty.',
      initial: initial.procedureCodes?.join(', '),
    },
    { id: 'slots', label: 'Slots', kind: 'number', required: true, initial: str(initial.slots) },
    { id: 'availableFrom', label: 'Available from', kind: 'date', required: true, initial: initial.availableFrom },
    { id: 'availableUntil', label: 'Available until', kind: 'date', required: true, initial: initial.availableUntil },
    { id: 'maxBmi', label: 'Maximum BMI', kind: 'number', required: true, initial: str(initial.maxBmi) },
    {
      id: 'maxAsa',
      label: 'Maximum ASA grade',
      kind: 'select',
      required: true,
      options: codeOptions(['1', '2', '3', '4']),
      initial: str(initial.maxAsa),
    },
    { id: 'minAge', label: 'Minimum age', kind: 'number', required: false, initial: str(initial.minAge ?? 18) },
    { id: 'maxAge', label: 'Maximum age', kind: 'number', required: false, initial: str(initial.maxAge ?? 120) },
    {
      id: 'hasCriticalCare',
      label: 'Critical care cover',
      kind: 'radio',
      required: true,
      options: YES_NO,
      initial: initial.hasCriticalCare === undefined ? undefined : initial.hasCriticalCare ? 'yes' : 'no',
    },
  ];
  return {
    id: editing ? 'EDIT_CAPACITY' : 'POST_CAPACITY',
    title: editing ? 'Edit capacity' : 'Post capacity',
    submitLabel: editing ? 'Save changes' : 'Post capacity',
    intro: editing
      ? 'Change this posting. Providers already notified are not notified again.'
      : 'Post spare capacity. Matching patients are sent to your clinicians as they are listed.',
    fields,
    context,
  };
}

/** The posting as `validatePosting` takes it. */
export function postingInput(values: FormValues): Record<string, unknown> {
  return {
    siteId: values.siteId,
    specialtyCode: values.specialtyCode,
    careType: values.careType,
    diagnosticModality: values.diagnosticModality || undefined,
    procedureCodes: (values.procedureCodes ?? '')
      .split(',')
      .map((code) => code.trim())
      .filter(Boolean),
    slots: numberOrText(values.slots),
    availableFrom: values.availableFrom,
    availableUntil: values.availableUntil,
    maxBmi: numberOrText(values.maxBmi),
    maxAsa: numberOrText(values.maxAsa),
    minAge: numberOrText(values.minAge) ?? 18,
    maxAge: numberOrText(values.maxAge) ?? 120,
    hasCriticalCare: values.hasCriticalCare === undefined ? undefined : values.hasCriticalCare === 'yes',
  };
}
