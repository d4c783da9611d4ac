/**
 * Who is who, seeded from a file, and the bot's configuration: both refuse
 * bad input whole, naming each problem, and seeding twice changes nothing.
 */
import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadBotConfig } from '../../bot/config';
import { seedDirectory, seedDirectoryFile } from '../../bot/core/directory-seed';
import { channelsForAudience, membershipsOf } from '../../db/chat-directory';
import { personForChatUser } from '../../db/people';
import { chatChannels, chatIdentities, memberships, people } from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedWorld, type World } from '../support/fixtures';

describe('the chat directory file', () => {
  let database: TestDatabase;
  let world: World;

  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabaseUrl'));
    world = await seedWorld(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const counts = async () => ({
    people: (await database.db.select().from(people)).length,
    identities: (await database.db.select().from(chatIdentities)).length,
    memberships: (await database.db.select().from(memberships)).length,
    channels: (await database.db.select().from(chatChannels)).length,
  });

  it('links people, roles and channels from the example file, and a second run changes nothing', async () => {
    const file = resolve(__dirname, '../../docs/chat-directory.example.json');
    await seedDirectoryFile(database.db, file);
    const once = await counts();
    await seedDirectoryFile(database.db, file);
    expect(await counts()).toEqual(once);

    const asha = await personForChatUser(database.db, 'SLACK', 'T0EXAMPLE', 'U0ASHA');
    const roles = await membershipsOf(database.db, asha!);
    expect(roles.map((m) => [m.ods, m.roles.sort()])).toEqual([['RR8', ['ADMIN', 'COORDINATOR']]]);
    const escalation = await channelsForAudience(database.db, 'SLACK', {
      kind: 'REGION_ESCALATION',
      region: 'NORTH_EAST_AND_YORKSHIRE',
    });
    expect(escalation.map((c) => c.channelId)).toEqual(['C0NEYESC']);
    const managers = await channelsForAudience(database.db, 'SLACK', {
      kind: 'ORGANISATION',
      organisationId: world.origin.id,
      roles: ['MANAGER'],
    });
    expect(managers.map((c) => c.channelId)).toEqual(['C0RR8MGRS']);
  });

  it('refuses a file with mistakes whole, naming each one', async () => {
    const before = await counts();
    await expect(
      seedDirectory(database.db, {
        people: [
          {
            name: 'Good Person',
            slack: { teamId: 'T1', userId: 'U1' },
            organisations: [{ ods: 'RR8', roles: ['CLINICIAN'] }],
          },
          { name: '', organisations: [{ ods: 'RR8', roles: ['SURGEON'] }] },
        ],
      }),
    ).rejects.toThrow(/people\.1\.name.*people\.1\.organisations\.0\.roles\.0/s);
    await expect(
      seedDirectory(database.db, {
        channels: [{ platform: 'SLACK', workspaceId: 'T1', channelId: 'C1', ods: 'ZZZ99', role: 'MANAGER' }],
      }),
    ).rejects.toThrow('unknown organisations: ZZZ99');
    const broken = resolve(tmpdir(), `directory-${process.pid}.json`);
    await writeFile(broken, '{ not json');
    await expect(seedDirectoryFile(database.db, broken)).rejects.toThrow(/could not be read as JSON/);
    expect(await counts()).toEqual(before);
  });
});

describe('the bot configuration', () => {
  it('has working defaults with Slack off', () => {
    expect(loadBotConfig({})).toMatchObject({ httpPort: 3000, slack: undefined, patientLink: undefined });
  });

  it('turns Slack on over HTTP or Socket Mode', () => {
    expect(loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's',
      appToken: undefined,
      apiUrl: undefined,
    });
    expect(loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack?.appToken).toBe('xapp-1');
  });

  it('names every missing or wrong setting', () => {
    const attempt = () =>
      loadBotConfig({
        SLACK_BOT_TOKEN: 'xoxp-user-token',
        HTTP_PORT: 'eighty',
        PATIENT_LINK_SECRET: 'short',
        PUBLIC_BASE_URL: 'not a url',
      });
    expect(attempt).toThrow(/SLACK_BOT_TOKEN must be a bot token/);
    expect(attempt).toThrow(/HTTP_PORT must be a port number/);
    expect(attempt).toThrow(/PATIENT_LINK_SECRET must be at least 32 characters/);
    expect(attempt).toThrow(/PUBLIC_BASE_URL must be a URL/);
    expect(() => loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET is needed/);
    expect(() => loadBotConfig({ SLACK_SIGNING_SECRET: 's' })).toThrow(/SLACK_BOT_TOKEN is needed/);
  });

  it('takes a PUBLIC_BASE_URL with a path (a reverse proxy’s prefix), and refuses one with a query or fragment', () => {
    for (const url of [
      'https://mutual-aid.example.nhs.uk',
      'https://apps.trust.nhs.uk/mutual-aid',
      'https://apps.trust.nhs.uk/mutual-aid/',
      'http://localhost:3000',
    ]) {
      expect(loadBotConfig({ PUBLIC_BASE_URL: url }).publicBaseUrl).toBe(url);
    }
    for (const url of [
      'https://apps.trust.nhs.uk/mutual-aid?trust=RR8',
      'https://apps.trust.nhs.uk/mutual-aid#top',
      'https://apps.trust.nhs.uk/mutual-aid?',
    ]) {
      expect(() => loadBotConfig({ PUBLIC_BASE_URL: url }), url).toThrow(
        /PUBLIC_BASE_URL must have no query \(\?…\) or fragment \(#…\)/,
      );
    }
    expect(() => loadBotConfig({ PUBLIC_BASE_URL: 'ftp://apps.trust.nhs.uk/mutual-aid' })).toThrow(
      /PUBLIC_BASE_URL must be a URL such as https:\/\/mutual-aid.example.nhs.uk \(http or https\)/,
    );
  });
});
