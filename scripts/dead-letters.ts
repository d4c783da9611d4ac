/**
 * `npm run dead-letters -- <command>`: the notifications that could not be
 * delivered to a chat target, for an operator to deal with.
 *
 *   list [--all]                 unresolved ones (with --all, resolved ones too), oldest first
 *   resolve <id> --by <name>     marks one dealt with (the channel relinked, the message passed on by hand)
 *
 * Connects to DATABASE_URL (from the environment or .env). Rows show codes
 * and references only: the notification's kind and case, the platform,
 * channel and the platform's error code.
 */
import { parseArgs } from 'node:util';
import type { Db } from '../db/client';
import { deadLetters, resolveDeadLetter } from '../db/dead-letters';
import { runDatabaseCommand, tableTime } from './database-command';

const USAGE = ['Usage: npm run dead-letters -- <command>', '  list [--all]', '  resolve <id> --by <name>'].join('\n');

export interface DeadLetterCommandIo {
  print(line: string): void;
  error(line: string): void;
}

/** Runs one command; the exit code is 0 when it did what it was asked. */
export async function runDeadLetterCommand(db: Db, argv: string[], io: DeadLetterCommandIo): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { all: { type: 'boolean' }, by: { type: 'string' } },
    });
  } catch (error) {
    io.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  switch (command) {
    case 'list': {
      const rows = await deadLetters(db, { includeResolved: values.all === true });
      if (rows.length === 0) {
        io.print(values.all ? 'No notification has ever been undeliverable.' : 'No undelivered notifications.');
        return 0;
      }
      io.print('id  when              kind  case  platform  channel  reason  error  attempts  resolved');
      for (const row of rows) {
        io.print(
          [
            row.id,
            tableTime(row.createdAt),
            row.kind,
            row.caseRef ?? '-',
            row.platform,
            `${row.workspaceId}/${row.channelId}`,
            row.reason,
            row.errorCode,
            row.attempts,
            row.resolvedAt ? `${tableTime(row.resolvedAt)} by ${row.resolvedBy ?? '?'}` : 'no',
          ].join('  '),
        );
      }
      return 0;
    }
    case 'resolve': {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id <= 0 || !values.by?.trim()) {
        io.error(`resolve needs a dead letter's id and --by <your name>.\n${USAGE}`);
        return 2;
      }
      if (!(await resolveDeadLetter(db, id, values.by.trim()))) {
        io.error(`There is no unresolved dead letter ${id}.`);
        return 1;
      }
      io.print(`Dead letter ${id} resolved by ${values.by.trim()}.`);
      return 0;
    }
    default:
      io.error(USAGE);
      return 2;
  }
}

if (require.main === module) {
  runDatabaseCommand('dead-letters', (db) =>
    runDeadLetterCommand(db, process.argv.slice(2), {
      print: (line) => console.log(line),
      error: (line) => console.error(line),
    }),
  );
}
