/** Who the presented key acts as: a quick check that an integration is set up with the right key. */
import { defineRoute, ok, type RouteGroup } from '../route';
import { MeSchema } from '../schemas';

const me = defineRoute({
  method: 'get',
  path: '/me',
  operationId: 'whoAmI',
  summary: 'Who your key acts as',
  responses: { 200: { description: 'The key’s organisation, person and roles.', schema: MeSchema } },
  handle({ caller }) {
    return Promise.resolve(
      ok({
        organisationOds: caller.organisationOds,
        personId: caller.personId,
        roles: caller.roles,
        keyPrefix: caller.keyPrefix,
        keyLabel: caller.keyLabel,
      }),
    );
  },
});

export const keyRoutes: RouteGroup = {
  tag: 'Key',
  description: 'The API key itself.',
  routes: [me],
};
