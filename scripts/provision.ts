/**
 * Makes sure this machine has what the tests and the demo run on: the Temporal
 * CLI (built once with `go install` and cached), PostgreSQL's server binaries
 * and, for the browser tests, Chromium (the distribution's package, installed
 * with apt-get when missing and allowed). Prints how long provisioning took.
 */
import { ensureChromium } from './infra/chromium';
import { findPostgresBinaries } from './infra/postgres-cluster';
import { resolveTemporalCli } from './infra/temporal-cli';

async function main(): Promise<void> {
  const started = Date.now();
  const cli = resolveTemporalCli();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    cli
      ? `Temporal CLI: ${cli.path} (${cli.source === 'built' ? `built in ${seconds} s` : `found via ${cli.source} in ${seconds} s`})`
      : 'Temporal CLI: none; the Temporal SDK will download one',
  );
  if (!process.env.DATABASE_URL) console.log(`PostgreSQL binaries: ${findPostgresBinaries()}`);
  const browserStarted = Date.now();
  const chromium = await ensureChromium((line) => console.log(line));
  console.log(`Chromium: ${chromium} (${((Date.now() - browserStarted) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(`Provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
