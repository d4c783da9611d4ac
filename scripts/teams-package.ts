/**
 * Builds the Teams app package to upload in Teams (Apps → Manage your apps →
 * Upload an app) or the Developer Portal: `manifest.json` (schema 1.17) for a
 * bot in personal chats, teams and group chats with its command menu, and the
 * two icons, zipped.
 *
 *   TEAMS_APP_ID=<the Azure Bot's Microsoft App ID> TEAMS_BOT_DOMAIN=<host of the bot server> \
 *     tsx scripts/teams-package.ts [--out dir]
 *
 * The package lands in `build/teams-app.zip` unless `--out` names a directory.
 * Everything is generated here: the icons are drawn into PNGs and the zip is
 * written with node:zlib alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { version as packageVersion } from '../package.json';

export const MANIFEST_VERSION = '1.17';
export const PACKAGE_FILE = 'teams-app.zip';
export const DEFAULT_OUT_DIR = resolve(__dirname, '..', 'build');

/** NHS blue, the icons' colour and the manifest's accent colour. */
const NHS_BLUE = { r: 0x00, g: 0x5e, b: 0xb8 };

export const BOT_COMMANDS: readonly { title: string; description: string }[] = [
  { title: 'help', description: 'What the bot can do and the commands you can use' },
  { title: 'list', description: 'List a patient for mutual aid (opens a form)' },
  { title: 'status', description: 'Where your listed cases are: offers, choices, approvals' },
  { title: 'link', description: "Get a patient's one-time choice link, shown only to you" },
];

export interface TeamsPackageSettings {
  appId: string;
  domain: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** TEAMS_APP_ID and TEAMS_BOT_DOMAIN, checked; each problem is named. */
export function readTeamsPackageSettings(env: NodeJS.ProcessEnv): TeamsPackageSettings {
  const problems: string[] = [];
  const appId = env.TEAMS_APP_ID?.trim() ?? '';
  if (!appId) {
    problems.push("TEAMS_APP_ID is not set: give the Azure Bot's Microsoft App ID (a GUID).");
  } else if (!GUID.test(appId)) {
    problems.push(
      `TEAMS_APP_ID must be the Azure Bot's Microsoft App ID, a GUID like 00000000-0000-0000-0000-000000000000; got "${appId}".`,
    );
  }
  let domain = env.TEAMS_BOT_DOMAIN?.trim() ?? '';
  // A URL is accepted for convenience; the manifest wants the host alone.
  if (/^https?:\/\//i.test(domain)) {
    try {
      domain = new URL(domain).hostname;
    } catch {
      // reported below
    }
  }
  if (!domain) {
    problems.push('TEAMS_BOT_DOMAIN is not set: give the host name of the bot server, e.g. mutual-aid.example.nhs.uk.');
  } else if (!HOST.test(domain)) {
    problems.push(`TEAMS_BOT_DOMAIN must be a host name such as mutual-aid.example.nhs.uk; got "${domain}".`);
  }
  if (problems.length) throw new Error(`Cannot build the Teams app package:\n  ${problems.join('\n  ')}`);
  return { appId: appId.toLowerCase(), domain: domain.toLowerCase() };
}

export function teamsManifest({ appId, domain }: TeamsPackageSettings): Record<string, unknown> {
  const site = `https://${domain}`;
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: packageVersion,
    // A bot-only app: its Teams app id is the bot's id.
    id: appId,
    developer: {
      name: 'NHS Mutual Aid',
      websiteUrl: `${site}/`,
      privacyUrl: `${site}/privacy`,
      termsOfUseUrl: `${site}/terms`,
    },
    name: { short: 'Mutual Aid', full: 'NHS Mutual Aid: waiting list matching' },
    description: {
      short: 'Moves patients off long waiting lists to hospitals with spare capacity.',
      full:
        'Matches NHS patients on long waiting lists to hospitals with spare capacity, in chat. ' +
        'Listing teams list patients and follow their cases, provider clinicians get matching cases and make offers, ' +
        'trust managers approve transfers, and escalation leads see stalled cases. ' +
        'Every step is a card with buttons, in a personal chat with the bot or in a team channel.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: hex(NHS_BLUE),
    bots: [
      {
        botId: appId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes: ['personal', 'team', 'groupChat'], commands: BOT_COMMANDS.map((c) => ({ ...c })) }],
      },
    ],
    validDomains: [domain],
  };
}

export interface BuiltPackage {
  path: string;
  manifest: Record<string, unknown>;
}

/** Writes `<outDir>/teams-app.zip` and returns its path. */
export function buildTeamsPackage(settings: TeamsPackageSettings, outDir = DEFAULT_OUT_DIR): BuiltPackage {
  const manifest = teamsManifest(settings);
  const zip = zipFiles([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ]);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, PACKAGE_FILE);
  writeFileSync(path, zip);
  return { path, manifest };
}

// --- Icons -------------------------------------------------------------------

/** The mark: a plus, two bars crossing, in unit coordinates (0..1). */
function inPlus(x: number, y: number, arm: number, bar: number): boolean {
  const c = 0.5;
  const horizontal = Math.abs(y - c) <= bar / 2 && Math.abs(x - c) <= arm;
  const vertical = Math.abs(x - c) <= bar / 2 && Math.abs(y - c) <= arm;
  return horizontal || vertical;
}

/** Coverage of a pixel by a shape, 4×4 supersampled, so edges are smooth. */
function coverage(px: number, py: number, size: number, inside: (x: number, y: number) => boolean): number {
  const n = 4;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (inside((px + (i + 0.5) / n) / size, (py + (j + 0.5) / n) / size)) hits++;
    }
  }
  return hits / (n * n);
}

/** 192×192: a white plus on NHS blue, opaque (Teams' colour icon). */
export function colorIcon(size = 192): Buffer {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const white = coverage(x, y, size, (u, v) => inPlus(u, v, 0.3, 0.18));
      const offset = (y * size + x) * 3;
      pixels[offset] = Math.round(NHS_BLUE.r + (255 - NHS_BLUE.r) * white);
      pixels[offset + 1] = Math.round(NHS_BLUE.g + (255 - NHS_BLUE.g) * white);
      pixels[offset + 2] = Math.round(NHS_BLUE.b + (255 - NHS_BLUE.b) * white);
    }
  }
  return encodePng(size, size, 'rgb', pixels);
}

/** 32×32: the same plus, outlined in white on transparent (Teams' outline icon). */
export function outlineIcon(size = 32): Buffer {
  const stroke = 1.5 / size;
  const outlined = (u: number, v: number) =>
    inPlus(u, v, 0.42, 0.34) && !inPlus(u, v, 0.42 - stroke, 0.34 - 2 * stroke);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const offset = (y * size + x) * 4;
      pixels.fill(255, offset, offset + 3);
      pixels[offset + 3] = Math.round(255 * coverage(x, y, size, outlined));
    }
  }
  return encodePng(size, size, 'rgba', pixels);
}

/** A PNG of 8-bit RGB or RGBA pixels, rows top to bottom, no filtering. */
export function encodePng(width: number, height: number, format: 'rgb' | 'rgba', pixels: Buffer): Buffer {
  const channels = format === 'rgb' ? 3 : 4;
  if (pixels.length !== width * height * channels) throw new Error('encodePng: pixel buffer has the wrong size');
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = format === 'rgb' ? 2 : 6; // colour type: truecolour, truecolour with alpha
  // compression, filter and interlace methods: 0
  const stride = width * channels;
  const scanlines = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(scanlines, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(scanlines, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function hex({ r, g, b }: { r: number; g: number; b: number }): string {
  return `#${[r, g, b]
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}`;
}

// --- Zip ---------------------------------------------------------------------

/**
 * A ZIP archive of the files, deflated (or stored when that is smaller), with a fixed timestamp so the same
 * input gives the same bytes. Small files only (no ZIP64).
 */
export function zipFiles(files: readonly { name: string; data: Buffer }[]): Buffer {
  // 2020-01-01 00:00:00 in MS-DOS format.
  const dosTime = 0;
  const dosDate = ((2020 - 1980) << 9) | (1 << 5) | 1;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const deflated = deflateRawSync(file.data, { level: 9 });
    // Stored as is when deflating would not make it smaller.
    const method = deflated.length < file.data.length ? 8 : 0;
    const compressed = method === 8 ? deflated : file.data;
    const crc = crc32(file.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed to extract: 2.0
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(method, 8); // 8: deflate, 0: stored
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header signature
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk number, internal attributes: 0
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(files.length, 8); // entries on this disk
  end.writeUInt16LE(files.length, 10); // entries in total
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// --- Command line ----------------------------------------------------------------

function parseOutDir(args: readonly string[]): string {
  let outDir = DEFAULT_OUT_DIR;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--out') {
      const value = args[++i];
      if (!value) throw new Error('--out needs a directory');
      outDir = resolve(value);
    } else if (arg.startsWith('--out=')) {
      outDir = resolve(arg.slice('--out='.length));
    } else {
      throw new Error(`Unknown argument ${arg}; usage: tsx scripts/teams-package.ts [--out dir]`);
    }
  }
  return outDir;
}

function main(): void {
  const outDir = parseOutDir(process.argv.slice(2));
  const settings = readTeamsPackageSettings(process.env);
  const { path } = buildTeamsPackage(settings, outDir);
  console.log(`Teams app package: ${path} (bot ${settings.appId}, domain ${settings.domain})`);
  console.log('Upload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams Developer Portal.');
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
