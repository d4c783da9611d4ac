/**
 * Replays recorded journey histories against today's workflow code. A change
 * that would break journeys already running in production (non-determinism)
 * fails here. Once journeys run in production, such a change needs `patched()`
 * versioning; the recordings are then added to, never replaced.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { readHistory } from '../support/histories';

const HISTORIES = join(__dirname, '..', 'histories');
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

describe('replaying recorded journey histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('keeps patient identifiers out of the payloads of %s', (file) => {
    const history = readHistory(join(HISTORIES, file));
    const payloads = JSON.stringify(history.toJSON()).match(/"data":"[A-Za-z0-9+/=]+"/g) ?? [];
    const decoded = payloads.map((data) => Buffer.from(data.slice(8, -1), 'base64').toString('utf8')).join('\n');
    expect(decoded).toContain('caseRef');
    expect(decoded).not.toMatch(/nhsNumber|givenName|familyName|dateOfBirth|"postcode"|\b\d{10}\b/);
  });

  it.each(files)('replays %s without non-determinism', async (file) => {
    const history = readHistory(join(HISTORIES, file));
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file);
  });
});
