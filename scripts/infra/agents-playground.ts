/**
 * Starts the Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`):
 * a Teams client emulator in the browser, wired to the bot's
 * `/api/messages`, that runs offline with no Microsoft account. It plays the
 * Bot Framework connector too: activities reach the bot unauthenticated with
 * `serviceUrl` pointing back at the Playground, so the bot must run without
 * app credentials (local mode) to accept them.
 *
 * Its files (log, optional `.m365agentsplayground.yml` with the mock users)
 * stay in `stateDir`, its working directory. On a headless machine it would
 * die trying to open a browser, so a no-op `xdg-open` goes first on its PATH;
 * telemetry is off and it listens on the loopback interface only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port';

export interface AgentsPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Port of the web UI and of the mock connector; a free one when absent. */
  port?: number;
  /** Working directory: the log, the shims and any `.m365agentsplayground.yml` live here. */
  stateDir: string;
  log: (line: string) => void;
  /**
   * Personal chat id to use instead of a random one per start, so conversation
   * references the bot stored survive a restart (with a fixed `port`).
   */
  conversationId?: string;
  startTimeoutMs?: number;
}

export interface AgentsPlayground {
  /** The web UI, e.g. `http://127.0.0.1:56150`. */
  url: string;
  /** Where the bot sends its replies (`activity.serviceUrl`). */
  serviceUrl: string;
  logFile: string;
  /** The process (and process group) id, for a last-resort kill. */
  pid?: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The Playground's CLI script, found like any other dependency. */
export function resolveAgentsPlaygroundCli(): string {
  return require.resolve('@microsoft/m365agentsplayground/cli.js');
}

export async function startAgentsPlayground(options: AgentsPlaygroundOptions): Promise<AgentsPlayground> {
  const { stateDir, log } = options;
  const cli = resolveAgentsPlaygroundCli();
  const port = options.port ?? (await freePort());
  const binDir = join(stateDir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const shim = join(binDir, 'xdg-open');
  writeFileSync(
    shim,
    '#!/bin/sh\n# The Agents Playground opens its page with xdg-open; the URL is printed instead.\nexit 0\n',
  );
  chmodSync(shim, 0o755);
  const loopback = join(stateDir, 'listen-on-loopback.js');
  writeFileSync(loopback, LOOPBACK_PRELOAD);
  const logFile = join(stateDir, 'agents-playground.log');
  const url = `http://${HOST}:${port}`;
  const serviceUrl = `${url}/_connector`;

  const args = [
    '--require',
    loopback,
    cli,
    '--app-endpoint',
    options.botEndpoint,
    '--channel-id',
    'msteams',
    '--port',
    String(port),
    '--service-url',
    serviceUrl,
    '--disable-telemetry',
  ];
  if (options.conversationId) args.push('--conversation-id', options.conversationId);
  const child = spawn(process.execPath, args, {
    cwd: stateDir,
    env: {
      ...process.env,
      PATH: [binDir, process.env.PATH].filter(Boolean).join(delimiter),
      // Belt and braces with the xdg-open shim: do not open a browser at all.
      TEAMSAPPTESTER_BROWSER: 'none',
      M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      // Application Insights is loaded even with telemetry off; this stops its statsbeat and Azure metadata probes.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches only us, and stop() ends the whole group.
    detached: true,
  });
  let output = '';
  let listeningOn: number | undefined;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    const match = /Listening on (\d+)/.exec(output);
    if (match) listeningOn = Number(match[1]);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const details = () => describeFailure(output, logFile);

  try {
    await waitForWebUi(url, port, child, options.startTimeoutMs ?? 30_000, () => listeningOn, details);
  } catch (error) {
    killGroup(child, 'SIGKILL');
    throw error;
  }
  log(`Agents Playground: ${url}, a Teams client for ${options.botEndpoint} (log: ${logFile})`);
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) log(`Agents Playground exited (${signal ?? `code ${code}`}); its log: ${logFile}`);
  });
  return {
    url,
    serviceUrl,
    logFile,
    pid: child.pid,
    stop: () => {
      stopping = true;
      return stopProcessGroup(child);
    },
  };
}

async function waitForWebUi(
  url: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  listeningOn: () => number | undefined,
  details: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Agents Playground exited (${child.signalCode ?? `code ${child.exitCode}`}) on start${details()}`,
      );
    }
    const actual = listeningOn();
    if (actual !== undefined && actual !== port) {
      // It falls back to a random port when ours is taken, but the bot was told to reply to ours.
      throw new Error(`Agents Playground could not use port ${port} (in use?) and took ${actual} instead${details()}`);
    }
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      const page = await response.text();
      if (response.ok && page.includes('Agents Playground')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`Agents Playground did not answer on ${url} within ${timeoutMs} ms${details()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Its console goes to the log file when stdout is not a terminal: quote the end of both. */
function describeFailure(output: string, logFile: string): string {
  let logTail = '';
  if (existsSync(logFile)) logTail = readFileSync(logFile, 'utf8').slice(-2000);
  const text = [output.trim(), logTail.trim()].filter(Boolean).join('\n');
  return text ? `:\n${text}` : ` (nothing in ${logFile})`;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL');
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const killer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

/**
 * Preloaded into the Playground: it calls `server.listen(port)`, which binds
 * every interface and would put an unauthenticated chat with the bot on the
 * network. A listen without a host gets the loopback address.
 */
const LOOPBACK_PRELOAD = `'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  if (/^\\d+$/.test(String(first)) && typeof second !== 'string') args.splice(1, 0, '${HOST}');
  else if (first && typeof first === 'object' && 'port' in first && first.host === undefined) {
    args[0] = { ...first, host: '${HOST}' };
  }
  return listen.apply(this, args);
};
`;
