/** Every workflow the worker runs; the bundler starts here. */
export { patientJourney } from './journey/journey';
export { capacityPosting } from './capacity/posting';
export { providerDigest } from './notifications/provider-digest';
export { escalationDigest } from './notifications/escalation-digest';
export { weeklyManagersDigest } from './notifications/weekly-managers-digest';
export { patientRequest } from './patient-request/patient-request';
export { startListedJourneys } from './waiting-list/start-listed-journeys';
