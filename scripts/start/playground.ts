/**
 * The demo's Teams client: the Microsoft 365 Agents Playground, a real Teams
 * client emulator that runs offline, wired to the bot's `/api/messages`. Its
 * user (Alex Wilber, as the Playground calls them) is linked to the demo as a
 * coordinator and manager at the listing trust and a clinician and manager at
 * an independent provider, so one person can click through a whole journey:
 * the bot sends each notification for those teams to Alex's personal chat.
 * Nuffield gets open hip and knee capacity, so a patient Alex lists (`list`)
 * matches and its card arrives for Alex to offer on, choose, approve twice and
 * confirm.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../../db/client';
import { linkChatUser } from '../../db/chat-directory';
import { seedDemoWorld, type DemoWorld } from '../../db/demo-seed';
import { ensureDemoCapacity } from '../demo/demo-data';
import type { CapacityClient } from '../../workflows/capacity-client';
import { startAgentsPlayground, type AgentsPlayground } from '../infra/agents-playground';

/** The Playground's default tenant and user (not valid GUIDs, but what it sends). */
export const PLAYGROUND_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const PLAYGROUND_USER_AAD_ID = '00000000-0000-0000-0000-0000000000020';
export const PLAYGROUND_USER_NAME = 'Alex Wilber';

/** Links the Playground's user to the demo organisations (idempotent). */
export async function linkPlaygroundUser(db: Db): Promise<DemoWorld> {
  const world = await db.transaction((tx) => seedDemoWorld(tx));
  const link = (organisationId: string, roles: ('CLINICIAN' | 'MANAGER' | 'COORDINATOR')[]) =>
    linkChatUser(db, {
      platform: 'TEAMS',
      workspaceId: PLAYGROUND_TENANT_ID,
      externalUserId: PLAYGROUND_USER_AAD_ID,
      displayName: PLAYGROUND_USER_NAME,
      email: 'alex.wilber@playground.demo.invalid',
      organisationId,
      roles,
    });
  await link(world.orgs.leeds.id, ['COORDINATOR', 'MANAGER']);
  await link(world.orgs.nuffieldYork.id, ['CLINICIAN', 'MANAGER']);
  return world;
}

export async function startDemoPlayground(options: {
  db: Db;
  capacity: CapacityClient;
  botUrl: string;
  port: number;
  stateDir: string;
  log: (line: string) => void;
}): Promise<AgentsPlayground> {
  const world = await linkPlaygroundUser(options.db);
  await ensureDemoCapacity(options.db, options.capacity, world);
  return startAgentsPlayground({
    botEndpoint: `${options.botUrl}/api/messages`,
    port: options.port,
    stateDir: join(options.stateDir, 'playground'),
    log: options.log,
    // The same personal chat across restarts, so the conversation reference the bot stored still works.
    conversationId: `a:mutual-aid-demo-${createHash('sha256').update(options.stateDir).digest('hex').slice(0, 16)}`,
  });
}
