/**
 * Finds a Chromium for the browser tests (playwright-core drives it), and on a
 * Debian or Ubuntu machine where we are root installs the distribution's
 * package: Playwright's own browser download is not available everywhere,
 * apt is.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];
const FALLBACK = '/usr/bin/chromium';
const INSTALL_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install -y --no-install-recommends chromium`) ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome executable.';

/** CHROMIUM_PATH, else the first of chromium, chromium-browser, google-chrome on PATH, else /usr/bin/chromium. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return isExecutable(configured) ? configured : undefined;
  for (const name of NAMES) {
    const found = which(name);
    if (found) return found;
  }
  return isExecutable(FALLBACK) ? FALLBACK : undefined;
}

/** The Chromium to use, installed with apt-get first when missing and we are root; otherwise an error saying how. */
export async function ensureChromium(log: (line: string) => void): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured && !isExecutable(configured)) {
    throw new Error(`CHROMIUM_PATH is ${configured}, which is not an executable file. ${INSTALL_HINT}`);
  }
  const found = findChromium();
  if (found) return found;
  const aptGet = which('apt-get');
  if (process.getuid?.() !== 0 || !aptGet) {
    throw new Error(
      `No Chromium found (looked for CHROMIUM_PATH, ${NAMES.join(', ')} on PATH and ${FALLBACK}). ${INSTALL_HINT}`,
    );
  }

  const started = Date.now();
  log('Chromium not found: installing the distribution package with apt-get...');
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  let result = await run(aptGet, install);
  if (result.code !== 0 && /unable to locate package|has no installation candidate/i.test(result.output)) {
    // A fresh container has no package lists yet.
    log('apt-get has no package lists: running apt-get update first...');
    const update = await run(aptGet, ['update']);
    if (update.code !== 0) throw new Error(`apt-get update failed (exit ${update.code}):\n${tail(update.output)}`);
    result = await run(aptGet, install);
  }
  if (result.code !== 0) {
    throw new Error(`apt-get install chromium failed (exit ${result.code}):\n${tail(result.output)}\n${INSTALL_HINT}`);
  }
  const installed = findChromium();
  if (!installed) throw new Error(`apt-get installed chromium but no executable was found. ${INSTALL_HINT}`);
  log(`Chromium installed: ${installed} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return installed;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
