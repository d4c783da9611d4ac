/**
 * How long patients wait, per trust and specialty (mean and 92nd
 * percentile): aggregate figures, open to any valid key. From fewer than
 * MIN_PATIENTS_FOR_WAIT_FIGURES patients, the count only (db/waits.ts).
 */
import { organisationByOds } from '../../db/people';
import { waitsBy } from '../../db/waits';
import { describeFieldErrors } from '../../domain/field-errors';
import { MIN_PATIENTS_FOR_WAIT_FIGURES } from '../../domain/waits';
import { RESPONSES, defineRoute, fail, ok, type RouteGroup } from '../route';
import { WaitListSchema, WaitsQuery } from '../schemas';

const listWaits = defineRoute({
  method: 'get',
  path: '/waits',
  operationId: 'listWaits',
  summary: 'Waits per trust and specialty',
  description:
    'Patients still waiting, with the mean and 92nd-percentile weeks since their clock start. Where fewer than ' +
    `${MIN_PATIENTS_FOR_WAIT_FIGURES} patients are waiting, the row gives the count with \`meanWeeks\` and ` +
    '`p92Weeks` null and `suppressed: TOO_FEW_PATIENTS`: a figure from so few is unreliable and close to identifying.',
  query: WaitsQuery,
  responses: { 200: { description: 'The figures.', schema: WaitListSchema }, 422: RESPONSES.invalid },
  async handle({ deps, query, now }) {
    const organisation = query.ods ? await organisationByOds(deps.db, query.ods) : undefined;
    if (query.ods && !organisation) {
      const errors = [{ field: 'ods', message: 'There is no organisation with that ODS code in mutual aid' }];
      return fail(422, 'INPUT.INVALID', describeFieldErrors(errors), errors);
    }
    const figures = await waitsBy(deps.db, {
      organisationId: organisation?.id,
      specialtyCode: query.specialty,
      now,
    });
    return ok({
      items: figures.map(({ organisationId: _id, ...figure }) => figure),
    });
  },
});

export const waitsRoutes: RouteGroup = {
  tag: 'Waits',
  description: 'Waiting times per trust and specialty.',
  routes: [listWaits],
};
