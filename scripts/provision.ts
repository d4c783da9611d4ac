/**
 * Makes sure this machine has what the tests and the demo run on: the Temporal
 * CLI (built once with `go install` and cached) and PostgreSQL's server
 * binaries. Prints how long provisioning took, cold or warm.
 */
import { findPostgresBinaries } from './infra/postgres-cluster';
import { resolveTemporalCli } from './infra/temporal-cli';

function main(): void {
  const started = Date.now();
  const cli = resolveTemporalCli();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    cli
      ? `Temporal CLI: ${cli.path} (${cli.source === 'built' ? `built in ${seconds} s` : `found via ${cli.source} in ${seconds} s`})`
      : 'Temporal CLI: none; the Temporal SDK will download one',
  );
  if (!process.env.DATABASE_URL) console.log(`PostgreSQL binaries: ${findPostgresBinaries()}`);
}

try {
  main();
} catch (error) {
  console.error(`Provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
