/**
 * The things `npm start` has started, stopped in the reverse order on Ctrl-C,
 * on `--once` completion or on a failure part-way through start-up. A step
 * that fails to stop is reported and the rest still run.
 */
export class Cleanup {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  /** Runs every step once, newest first; later calls wait for the first. */
  run(log: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.stop();
          log(`Stopped ${step.name}.`);
        } catch (error) {
          log(`Could not stop ${step.name} cleanly: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}
