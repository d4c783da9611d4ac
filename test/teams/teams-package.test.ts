/**
 * The Teams app package that `tsx scripts/teams-package.ts` builds: a zip
 * whose central directory lists exactly the manifest and the two icons, a
 * manifest naming the bot, icons of the sizes Teams requires (read from each
 * PNG's IHDR chunk), and a clear error for a missing or malformed
 * TEAMS_APP_ID.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOT_COMMANDS,
  MANIFEST_VERSION,
  PACKAGE_FILE,
  buildTeamsPackage,
  type BuiltPackage,
  readTeamsPackageSettings,
} from '../../scripts/teams-package';

const APP_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const DOMAIN = 'mutual-aid.example.nhs.uk';
const ROOT = resolve(__dirname, '..', '..');

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The entries the end-of-central-directory record points to, as an unzip tool reads them. */
function centralDirectory(zip: Buffer): ZipEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'end of central directory record').toBeGreaterThanOrEqual(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at), 'central directory header signature').toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** An entry's bytes, through its local header, checked against the CRC-32 the directory records. */
function extract(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localOffset;
  expect(zip.readUInt32LE(at), 'local file header signature').toBe(0x04034b50);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  const data = entry.method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
  expect(entry.method === 0 || entry.method === 8, `${entry.name}: stored or deflated`).toBe(true);
  expect(data.length).toBe(entry.size);
  expect(crc32(data) >>> 0, `${entry.name}: CRC-32`).toBe(entry.crc);
  return data;
}

/** Width, height and colour type from the IHDR chunk, which must come first. */
function pngHeader(png: Buffer): { width: number; height: number; colorType: number } {
  expect(
    png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    'PNG signature',
  ).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.readUInt32BE(29) >>> 0, 'IHDR CRC').toBe(crc32(png.subarray(12, 29)) >>> 0);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25]! };
}

describe('Teams app package', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'teams-package-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  let built: BuiltPackage;
  let zip: Buffer;
  let entries: ZipEntry[];
  beforeAll(() => {
    built = buildTeamsPackage(
      readTeamsPackageSettings({ TEAMS_APP_ID: APP_ID.toUpperCase(), TEAMS_BOT_DOMAIN: DOMAIN }),
      outDir,
    );
    zip = readFileSync(built.path);
    entries = centralDirectory(zip);
  });
  const file = (name: string) => {
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`${name} is not in the package`);
    return extract(zip, entry);
  };

  it('is a zip of exactly the manifest and the two icons', () => {
    expect(built.path).toBe(join(outDir, PACKAGE_FILE));
    expect(entries.map((e) => e.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('has a manifest for the bot in personal chats, teams and group chats', () => {
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as {
      manifestVersion: string;
      id: string;
      icons: { color: string; outline: string };
      bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
      validDomains: string[];
      webApplicationInfo?: unknown;
    };
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.17);
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots;
    expect(bot!.botId).toBe(APP_ID);
    expect(bot!.scopes).toEqual(['personal', 'team', 'groupChat']);
    const titles = bot!.commandLists.flatMap((list) => list.commands.map((c) => c.title));
    expect(titles).toEqual(['help', 'list', 'status', 'link']);
    expect(BOT_COMMANDS.map((c) => c.title)).toEqual(titles);
    expect(manifest.validDomains).toEqual([DOMAIN]);
    expect(manifest).not.toHaveProperty('webApplicationInfo');
  });

  it('has a 192×192 colour icon and a 32×32 outline icon with transparency', () => {
    expect(pngHeader(file('color.png'))).toEqual({ width: 192, height: 192, colorType: 2 });
    expect(pngHeader(file('outline.png'))).toEqual({ width: 32, height: 32, colorType: 6 });
  });

  it('builds the same bytes every time', () => {
    const again = buildTeamsPackage(
      readTeamsPackageSettings({ TEAMS_APP_ID: APP_ID, TEAMS_BOT_DOMAIN: DOMAIN }),
      outDir,
    );
    expect(readFileSync(again.path).equals(zip)).toBe(true);
  });

  it('names a missing or malformed TEAMS_APP_ID', () => {
    expect(() => readTeamsPackageSettings({ TEAMS_BOT_DOMAIN: DOMAIN })).toThrow(/TEAMS_APP_ID is not set/);
    expect(() => readTeamsPackageSettings({ TEAMS_APP_ID: 'my-bot', TEAMS_BOT_DOMAIN: DOMAIN })).toThrow(
      /TEAMS_APP_ID must be the Azure Bot's Microsoft App ID, a GUID.*"my-bot"/,
    );
    expect(() => readTeamsPackageSettings({ TEAMS_APP_ID: `${APP_ID}0`, TEAMS_BOT_DOMAIN: DOMAIN })).toThrow(
      /TEAMS_APP_ID must be/,
    );
    expect(() => readTeamsPackageSettings({ TEAMS_APP_ID: APP_ID })).toThrow(/TEAMS_BOT_DOMAIN is not set/);
    expect(
      readTeamsPackageSettings({ TEAMS_APP_ID: APP_ID, TEAMS_BOT_DOMAIN: `https://${DOMAIN}/api/messages` }),
    ).toEqual({ appId: APP_ID, domain: DOMAIN });
  });

  it('fails from the command line with the reason and no package', () => {
    const out = join(outDir, 'cli');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, TEAMS_APP_ID: 'not-a-guid', TEAMS_BOT_DOMAIN: DOMAIN },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/TEAMS_APP_ID must be the Azure Bot's Microsoft App ID/);
    expect(() => readFileSync(join(out, PACKAGE_FILE))).toThrow();
  });
});
