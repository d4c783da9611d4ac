/**
 * `.env.example` documents every setting the configuration reads: a variable
 * added to a schema without a line there fails here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

/** Keys of the zod objects the configuration modules validate the environment with. */
function variablesIn(source: string): string[] {
  return [...source.matchAll(/^\s+([A-Z][A-Z0-9_]{2,}): (?:z|duration|port)\b/gm)].map((match) => match[1]!);
}

describe('.env.example', () => {
  it('names every variable the configuration reads', () => {
    const example = read('.env.example');
    const documented = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!));
    const read_ = ['workflows/config.ts', 'bot/config.ts', 'scripts/start/options.ts'].flatMap((file) =>
      variablesIn(read(file)),
    );
    expect(read_.length).toBeGreaterThan(30);
    expect(read_.filter((name) => !documented.has(name))).toEqual([]);
  });
});
