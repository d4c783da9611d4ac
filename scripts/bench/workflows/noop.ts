/**
 * Bench-only workflows, bundled for the benchmark's own worker and never into
 * the production bundle (workflows/index.ts).
 */

/** Does nothing: what starting (and completing) a workflow costs on its own, the journeys benchmark's baseline. */
export async function benchNoop(): Promise<void> {}
