/**
 * NHS code lists the journey validates against: RTT treatment function codes,
 * care types, diagnostic modalities (DM01 tests), clinical priorities, roles.
 */

/** Treatment function codes used in RTT reporting, with the finer surgical codes trusts also list under. */
export const TREATMENT_FUNCTIONS = {
  '100': 'General Surgery',
  '101': 'Urology',
  '103': 'Breast Surgery',
  '104': 'Colorectal Surgery',
  '107': 'Vascular Surgery',
  '108': 'Spinal Surgery',
  '110': 'Trauma & Orthopaedics',
  '120': 'Ear, Nose & Throat',
  '130': 'Ophthalmology',
  '140': 'Oral Surgery',
  '150': 'Neurosurgery',
  '160': 'Plastic Surgery',
  '170': 'Cardiothoracic Surgery',
  '300': 'General Internal Medicine',
  '301': 'Gastroenterology',
  '320': 'Cardiology',
  '330': 'Dermatology',
  '340': 'Respiratory Medicine',
  '400': 'Neurology',
  '410': 'Rheumatology',
  '430': 'Elderly Medicine',
  '502': 'Gynaecology',
  X02: 'Other – Medical Services',
  X03: 'Other – Mental Health Services',
  X04: 'Other – Paediatric Services',
  X05: 'Other – Surgical Services',
  X06: 'Other – Other Services',
} as const;

export type TreatmentFunctionCode = keyof typeof TREATMENT_FUNCTIONS;

export function isTreatmentFunctionCode(code: string): code is TreatmentFunctionCode {
  return Object.prototype.hasOwnProperty.call(TREATMENT_FUNCTIONS, code);
}

export const CARE_TYPES = ['ADMITTED', 'OUTPATIENT', 'DIAGNOSTIC', 'CANCER'] as const;
export type CareType = (typeof CARE_TYPES)[number];

/** The DM01 diagnostic tests; a diagnostic listing names one. */
export const DIAGNOSTIC_MODALITIES = [
  'MRI',
  'CT',
  'NON_OBSTETRIC_ULTRASOUND',
  'BARIUM_ENEMA',
  'DEXA',
  'AUDIOLOGY',
  'ECHOCARDIOGRAPHY',
  'ELECTROPHYSIOLOGY',
  'NEUROPHYSIOLOGY',
  'SLEEP_STUDY',
  'URODYNAMICS',
  'COLONOSCOPY',
  'FLEXI_SIGMOIDOSCOPY',
  'CYSTOSCOPY',
  'GASTROSCOPY',
] as const;
export type DiagnosticModality = (typeof DIAGNOSTIC_MODALITIES)[number];

/** Surgical prioritisation: P1 within 72 hours, P2 a month, P3 three months, P4 longer. */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Providers list and treat; commissioners (ICBs, NHS England's regional teams) hold the escalation leads. */
export const ORGANISATION_KINDS = ['NHS_TRUST', 'INDEPENDENT_PROVIDER', 'COMMISSIONER'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** NHS England's seven regions, each with its escalation leads. */
export const REGIONS = [
  'NORTH_EAST_AND_YORKSHIRE',
  'NORTH_WEST',
  'MIDLANDS',
  'EAST_OF_ENGLAND',
  'LONDON',
  'SOUTH_EAST',
  'SOUTH_WEST',
] as const;
export type Region = (typeof REGIONS)[number];

export const ROLES = ['CLINICIAN', 'MANAGER', 'COORDINATOR', 'ADMIN', 'ESCALATION_LEAD'] as const;
export type Role = (typeof ROLES)[number];

/** Practical needs the receiving provider must plan for; codes, never free text about the patient. */
export const TRAVEL_NEEDS = [
  'WHEELCHAIR_ACCESS',
  'PATIENT_TRANSPORT',
  'CARER_OR_ESCORT',
  'INTERPRETER',
  'BSL_INTERPRETER',
  'LEARNING_DISABILITY_SUPPORT',
  'OVERNIGHT_ACCOMMODATION',
] as const;
export type TravelNeed = (typeof TRAVEL_NEEDS)[number];
