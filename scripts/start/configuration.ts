/**
 * Everything `npm start` is configured with, read once and checked together:
 * the start options and journey settings, and the bot's settings. A bad
 * start names every missing or invalid setting at once, one per line, not
 * the first only. The demo needs a patient-link secret for its patient pages:
 * unless one is set, a random one is made once and kept with the demo's state.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBotConfig, type BotConfig } from '../../bot/config';
import { readStartOptions, type StartOptions } from './options';
import { statePaths } from './state-dir';

type Env = Record<string, string | undefined>;

export interface StartConfiguration {
  options: StartOptions;
  bot: BotConfig;
}

const PREFIX = 'Invalid configuration: ';

/** The problems an error names, one per setting. */
function problemsIn(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(PREFIX) ? message.slice(PREFIX.length).split('; ') : [message];
}

/** The demo's patient-link secret: made once (48 random bytes) and kept, readable by its owner only. */
export function demoPatientLinkSecret(stateDir: string): string {
  const file = join(stateDir, 'patient-link-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export function readStartConfiguration(
  env: Env,
  argv: string[],
  machine: { repoRoot: string; uid: number },
): StartConfiguration {
  const problems: string[] = [];
  let options: StartOptions | undefined;
  let bot: BotConfig | undefined;
  try {
    options = readStartOptions(env, argv, machine);
  } catch (error) {
    problems.push(...problemsIn(error));
  }
  const playground = (env.PLAYGROUND ?? 'on') === 'on' && !env.TEAMS_APP_ID;
  const botEnv: Env = {
    // The embedded default: Teams in local mode for the Agents Playground, unless real Teams credentials are set.
    ...(playground ? { TEAMS_LOCAL: 'true' } : {}),
    ...env,
  };
  try {
    if (!botEnv.PATIENT_LINK_SECRET) {
      botEnv.PATIENT_LINK_SECRET = demoPatientLinkSecret(
        (options?.paths ?? statePaths(machine.repoRoot, machine.uid)).stateDir,
      );
    }
    bot = loadBotConfig(botEnv);
  } catch (error) {
    problems.push(...problemsIn(error));
  }
  if (problems.length > 0 || !options || !bot) {
    throw new Error(`npm start cannot start with this configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { options, bot };
}
