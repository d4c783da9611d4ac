/** `npm start`'s configuration: demo timings only where unset, embedded or external Temporal, durable state paths. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStartConfiguration } from '../../scripts/start/configuration';
import { readStartOptions } from '../../scripts/start/options';
import { statePaths } from '../../scripts/start/state-dir';

const machine = { repoRoot: '/home/dev/mutual-aid', uid: 1000 };

describe('readStartOptions', () => {
  it('uses demo timings in seconds to minutes when no JOURNEY_* variable is set, and the embedded servers on fixed ports', () => {
    const options = readStartOptions({}, [], machine);
    expect(options.policy).toMatchObject({
      offerWindowMs: 15_000,
      choiceWindowMs: 600_000,
      maxRounds: 3,
      onNoOffers: 'RELIST',
    });
    expect(options.temporal).toMatchObject({
      mode: 'embedded',
      port: 7233,
      uiPort: 8233,
      dbFile: '/home/dev/mutual-aid/.mutual-aid/temporal.sqlite',
    });
    expect(options.paths.postgresDir).toBe('/home/dev/mutual-aid/.mutual-aid/postgres');
    expect(options.once).toBe(false);
    expect(options.databaseUrl).toBeUndefined();
  });

  it('keeps a JOURNEY_* value that is set, and takes ports, --once and MUTUAL_AID_ONCE from the caller', () => {
    const options = readStartOptions(
      { JOURNEY_OFFER_WINDOW: '2 days', TEMPORAL_PORT: '17233', TEMPORAL_UI_PORT: '18233' },
      ['--once'],
      machine,
    );
    expect(options.policy.offerWindowMs).toBe(2 * 86_400_000);
    expect(options.temporal).toMatchObject({ port: 17233, uiPort: 18233 });
    expect(options.once).toBe(true);
    expect(readStartOptions({ MUTUAL_AID_ONCE: '1' }, [], machine).once).toBe(true);
  });

  it('carries the NOTIFY_* and escalation settings through to the workers it starts', () => {
    const options = readStartOptions(
      {
        NOTIFY_DIGEST_WINDOW: '30s',
        NOTIFY_MAX_PER_SECOND: '5',
        STALLED_AFTER: '3 days',
        ESCALATION_DIGEST_AT: '08:30',
      },
      [],
      machine,
    );
    expect(options.notifications).toMatchObject({
      windowMs: 30_000,
      maxPerSecond: 5,
      notificationsTaskQueue: 'mutual-aid-notifications',
    });
    expect(options.escalation).toMatchObject({ stalledAfterMs: 3 * 86_400_000, hour: 8, minute: 30 });
  });

  it('uses the Temporal server at TEMPORAL_ADDRESS and the database at DATABASE_URL instead of starting its own', () => {
    const options = readStartOptions(
      { TEMPORAL_ADDRESS: 'temporal.internal:7233', DATABASE_URL: 'postgres://u@db/mutual_aid' },
      [],
      machine,
    );
    expect(options.temporal).toMatchObject({ mode: 'external', address: 'temporal.internal:7233' });
    expect(options.databaseUrl).toBe('postgres://u@db/mutual_aid');
  });

  it('refuses unknown arguments and bad values with the name of what is wrong', () => {
    expect(() => readStartOptions({}, ['--forever'], machine)).toThrow(/Unknown argument --forever/);
    expect(() => readStartOptions({ TEMPORAL_UI_PORT: 'eighty' }, [], machine)).toThrow(/TEMPORAL_UI_PORT/);
    expect(() => readStartOptions({ JOURNEY_CHOICE_WINDOW: 'soon' }, [], machine)).toThrow(/JOURNEY_CHOICE_WINDOW/);
  });
});

describe('statePaths', () => {
  it('keeps state in the repository for a normal user, and under /var/tmp per checkout for root', () => {
    expect(statePaths('/home/dev/mutual-aid', 1000).stateDir).toBe('/home/dev/mutual-aid/.mutual-aid');
    const root = statePaths('/root/mutual-aid', 0);
    expect(root.stateDir).toMatch(/^\/var\/tmp\/mutual-aid\/[0-9a-f]{12}$/);
    expect(root.postgresDir).toBe(`${root.stateDir}/postgres`);
    expect(statePaths('/srv/other-checkout', 0).stateDir).not.toBe(root.stateDir);
  });
});

describe('readStartConfiguration', () => {
  const repoRoot = mkdtempSync(join(tmpdir(), 'mutual-aid-start-'));
  const here = { repoRoot, uid: 1000 };

  it('names every missing or invalid setting at once, one per line, across the start and bot settings', () => {
    let message = '';
    try {
      readStartConfiguration(
        { JOURNEY_MAX_ROUNDS: '0', TEMPORAL_PORT: 'seven', HTTP_PORT: '70000', SLACK_BOT_TOKEN: 'not-a-token' },
        [],
        here,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(5);
    for (const name of [
      'JOURNEY_MAX_ROUNDS',
      'TEMPORAL_PORT',
      'HTTP_PORT',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]) {
      expect(lines.filter((line) => line.includes(name))).toHaveLength(1);
    }
  });

  it('refuses a PUBLIC_BASE_URL with a query or fragment, saying so, and takes one with a path', () => {
    expect(() =>
      readStartConfiguration({ PUBLIC_BASE_URL: 'https://apps.trust.nhs.uk/mutual-aid?x=1' }, [], here),
    ).toThrow(
      /^npm start cannot start with this configuration:\n {2}- PUBLIC_BASE_URL: PUBLIC_BASE_URL must have no query/,
    );
    const behindProxy = 'https://apps.trust.nhs.uk/mutual-aid';
    expect(readStartConfiguration({ PUBLIC_BASE_URL: behindProxy }, [], here).bot.publicBaseUrl).toBe(behindProxy);
  });

  it('makes the demo a patient-link secret once and keeps it, unless one is set', () => {
    const first = readStartConfiguration({}, [], here);
    const second = readStartConfiguration({}, [], here);
    expect(first.bot.patientLink?.secret).toMatch(/^[\w-]{64}$/);
    expect(second.bot.patientLink?.secret).toBe(first.bot.patientLink?.secret);
    const file = join(first.options.paths.stateDir, 'patient-link-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const given = 'a-patient-link-secret-set-by-the-operator-0123';
    expect(readStartConfiguration({ PATIENT_LINK_SECRET: given }, [], here).bot.patientLink?.secret).toBe(given);
  });

  it('runs Teams in local mode for the Playground, and not when real Teams credentials are set', () => {
    expect(readStartConfiguration({}, [], here).bot.teams?.local).toBe(true);
    const real = readStartConfiguration(
      { TEAMS_APP_ID: '6d4c1f3e-8a2b-4c5d-9e0f-1a2b3c4d5e6f', TEAMS_APP_PASSWORD: 'secret' },
      [],
      here,
    );
    expect(real.options.playground).toBeUndefined();
    expect(real.bot.teams?.local).toBe(false);
  });
});
