/**
 * Starts the real infrastructure once for the whole run: a private PostgreSQL
 * cluster (or DATABASE_URL) migrated into a template database, a Temporal dev
 * server, and one bundle of the workflow code. Each test file then clones the
 * template into a database of its own.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../db/migrate';
import { startPostgresCluster } from '../../scripts/infra/postgres-cluster';
import { startTemporalDevServer } from '../../scripts/infra/temporal-dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = mkdtempSync(join(tmpdir(), 'mutual-aid-test-'));
  const started = Date.now();
  const cluster = process.env.DATABASE_URL
    ? undefined
    : await startPostgresCluster({ ephemeral: true, database: 'mutual_aid_template' });
  const templateDatabaseUrl = process.env.DATABASE_URL ?? cluster!.url;
  await runMigrations(templateDatabaseUrl);
  const temporal = await startTemporalDevServer();
  const stop = async () => {
    await temporal.stop();
    await cluster?.stop();
  };
  const workflowBundlePath = join(workDir, 'workflow-bundle.js');
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath: join(__dirname, '..', '..', 'workflows', 'index.ts'),
      logger: quietLogger,
    });
    writeFileSync(workflowBundlePath, bundle.code);
  } catch (error) {
    await stop();
    throw error;
  }
  console.log(
    `Test infrastructure ready in ${((Date.now() - started) / 1000).toFixed(1)} s (PostgreSQL, Temporal ${temporal.address})`,
  );

  project.provide('templateDatabaseUrl', templateDatabaseUrl);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return stop;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
