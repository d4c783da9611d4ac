/**
 * Seeds who is who from a JSON file (CHAT_DIRECTORY_FILE): people with their
 * Slack and Teams accounts and roles, and the channels each audience listens
 * in. Applied at start, idempotently: running it again adds what is new and
 * changes nothing else. A bad file is refused whole, with each problem named.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { linkChannel, linkChatUser, type ChannelAudience } from '../../db/chat-directory';
import { organisationByOds } from '../../db/people';
import { REGIONS, ROLES } from '../../domain/codes';
import { describeFieldErrors, validateWith } from '../../domain/field-errors';

const ods = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,6}$/, { error: 'must be an ODS code' });
const id = z.string().trim().min(1).max(100);

const directorySchema = z.object({
  people: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(100),
        email: z.email().optional(),
        slack: z.object({ teamId: id, userId: id }).optional(),
        teams: z.object({ tenantId: id, aadObjectId: id }).optional(),
        organisations: z.array(z.object({ ods, roles: z.array(z.enum(ROLES)).min(1) })).min(1),
      }),
    )
    .default([]),
  channels: z
    .array(
      z.union([
        z.object({
          platform: z.enum(['SLACK', 'TEAMS']),
          workspaceId: id,
          channelId: id,
          ods,
          role: z.enum(['CLINICIAN', 'MANAGER', 'COORDINATOR']),
        }),
        z.object({ platform: z.enum(['SLACK', 'TEAMS']), workspaceId: id, channelId: id, region: z.enum(REGIONS) }),
      ]),
    )
    .default([]),
});

export type Directory = z.input<typeof directorySchema>;

export interface SeedResult {
  people: number;
  channels: number;
}

export async function seedDirectoryFile(db: Db, path: string): Promise<SeedResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`CHAT_DIRECTORY_FILE ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  return seedDirectory(db, raw);
}

export async function seedDirectory(db: Db, input: unknown): Promise<SeedResult> {
  const parsed = validateWith(directorySchema, input);
  if (!parsed.ok) throw new Error(`Chat directory is invalid: ${describeFieldErrors(parsed.errors)}`);
  const directory = parsed.value;
  const codes = new Set([
    ...directory.people.flatMap((person) => person.organisations.map((org) => org.ods)),
    ...directory.channels.flatMap((channel) => ('ods' in channel ? [channel.ods] : [])),
  ]);
  const orgIds = new Map<string, string>();
  const unknown: string[] = [];
  for (const code of codes) {
    const org = await organisationByOds(db, code);
    if (org) orgIds.set(code, org.id);
    else unknown.push(code);
  }
  if (unknown.length > 0) throw new Error(`Chat directory names unknown organisations: ${unknown.join(', ')}`);

  for (const person of directory.people) {
    const accounts = [
      ...(person.slack
        ? [{ platform: 'SLACK' as const, workspaceId: person.slack.teamId, externalUserId: person.slack.userId }]
        : []),
      ...(person.teams
        ? [{ platform: 'TEAMS' as const, workspaceId: person.teams.tenantId, externalUserId: person.teams.aadObjectId }]
        : []),
    ];
    for (const account of accounts) {
      for (const org of person.organisations) {
        await linkChatUser(db, {
          ...account,
          displayName: person.name,
          email: person.email,
          organisationId: orgIds.get(org.ods)!,
          roles: org.roles,
        });
      }
    }
  }
  for (const channel of directory.channels) {
    const audience: ChannelAudience =
      'region' in channel
        ? { region: channel.region }
        : { organisationId: orgIds.get(channel.ods)!, role: channel.role };
    await linkChannel(db, {
      platform: channel.platform,
      workspaceId: channel.workspaceId,
      channelId: channel.channelId,
      audience,
    });
  }
  return { people: directory.people.length, channels: directory.channels.length };
}
