/**
 * "Where journeys stall", for a trust's own reporting: how far its cases got
 * (listed, offered, chosen, approved, transferred, declined, timed out,
 * withdrawn) and how long they spent in each state, per specialty and week of
 * listing. Counted in PostgreSQL by db/funnel.ts; a key sees its own
 * organisation's cases only.
 */
import { funnel, funnelTotals } from '../../db/funnel';
import { DECLINE_REASONS, TIMEOUT_KINDS, type FunnelCounts } from '../../domain/funnel';
import { WITHDRAW_REASONS } from '../../domain/journey-states';
import { RESPONSES, defineRoute, ok, type RouteGroup } from '../route';
import { FunnelQuery, FunnelSchema } from '../schemas';
import { funnelCountsView, funnelWeekView } from '../views';

const none = <R extends string>(reasons: readonly R[]) => ({
  cases: 0,
  reasons: Object.fromEntries(reasons.map((reason) => [reason, 0])) as Record<R, number>,
});

/** The totals of a trust with no case the filters select. */
const NOTHING: FunnelCounts = {
  listed: 0,
  offered: 0,
  chosen: 0,
  approved: 0,
  transferred: 0,
  declined: none(DECLINE_REASONS),
  timedOut: none(TIMEOUT_KINDS),
  withdrawn: none(WITHDRAW_REASONS),
  inProgress: 0,
  timeInState: {},
};

const getFunnel = defineRoute({
  method: 'get',
  path: '/funnel',
  operationId: 'getFunnel',
  summary: 'Where your trust’s journeys stall',
  description:
    'Your organisation’s cases as origin trust, per specialty and week of listing (Monday to Sunday in England), ' +
    'each followed to today: how many were listed, offered, chosen, approved and transferred, declined, timed out ' +
    'or withdrawn (with the reasons), and the median time spent in each state. Filter by specialty, listing ' +
    'period and route. Aggregate figures only.',
  query: FunnelQuery,
  responses: { 200: { description: 'The funnel.', schema: FunnelSchema }, 422: RESPONSES.invalid },
  async handle({ deps, caller, query }) {
    const filter = { ...query, organisationId: caller.organisationId };
    const [weeks, totals] = await Promise.all([funnel(deps.db, filter), funnelTotals(deps.db, filter)]);
    return ok({
      organisationOds: caller.organisationOds,
      totals: funnelCountsView(totals[0] ?? NOTHING),
      items: weeks.map(funnelWeekView),
    });
  },
});

export const funnelRoutes: RouteGroup = {
  tag: 'Funnel',
  description: 'Where your trust’s journeys stall: stages reached and time in each state.',
  routes: [getFunnel],
};
