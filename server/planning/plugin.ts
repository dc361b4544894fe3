// Planning: an event from acceptance to afterwards, planned by a group in which people with
// lived experience are equal partners, to the 4PI National Involvement Standards.
// routes.ts: the Organise area, the workspace overview, the group, details and publishing;
// workspace-routes.ts: programme, tasks, discussion and decisions, meetings, the 4PI record;
// involvement-routes.ts: time given and how each person is paid for it;
// after-routes.ts: the impact note and resources, and the public resources list.
import type { FastifyPluginAsync } from 'fastify';
import { afterRoutes } from './after-routes.ts';
import { involvementRoutes } from './involvement-routes.ts';
import { planningRoutes } from './routes.ts';
import { workspaceRoutes } from './workspace-routes.ts';

export const planningPlugin: FastifyPluginAsync = async (app) => {
  await app.register(planningRoutes);
  await app.register(workspaceRoutes);
  await app.register(involvementRoutes);
  await app.register(afterRoutes);
};
