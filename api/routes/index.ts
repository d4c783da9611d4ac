/**
 * The operator API's route groups, in the order the document lists them.
 * A new group (funnel, waiting-list upload, …) is a file beside these
 * exporting a RouteGroup, added to this list: the router serves it and the
 * OpenAPI document describes it, with nothing else to change.
 */
import type { RouteGroup } from '../route';
import { capacityRoutes } from './capacity';
import { casesRoutes } from './cases';
import { funnelRoutes } from './funnel';
import { keyRoutes } from './me';
import { offersRoutes } from './offers';
import { patientRequestRoutes } from './patient-requests';
import { waitingListRoutes } from './waiting-list';
import { waitsRoutes } from './waits';

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  casesRoutes,
  waitingListRoutes,
  patientRequestRoutes,
  offersRoutes,
  capacityRoutes,
  waitsRoutes,
  funnelRoutes,
  keyRoutes,
];
