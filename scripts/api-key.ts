/**
 * `npm run api-key -- <command>`: issue, list and revoke operator API keys.
 *
 *   create --org RR8 --person someone@example.invalid --label "PAS integration"
 *   list --org RR8
 *   revoke <prefix>
 *
 * Connects to DATABASE_URL (from the environment or .env). A new key is
 * printed once and cannot be shown again; only its hash is stored.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ApiKeyError, issueApiKey, listApiKeys, revokeApiKey } from '../api/api-keys';
import type { Db } from '../db/client';
import { runDatabaseCommand, tableTime } from './database-command';

const USAGE = [
  'Usage: npm run api-key -- <command>',
  '  create --org <ODS> --person <email or person id> --label <what uses it>',
  '  list --org <ODS>',
  '  revoke <key prefix>',
].join('\n');

export interface ApiKeyCommandIo {
  print(line: string): void;
  error(line: string): void;
  /** Who is running the command, for the audit log. */
  operator?: string;
}

/** Runs one command against the database; the exit code is 0 when it did what it was asked. */
export async function runApiKeyCommand(db: Db, argv: string[], io: ApiKeyCommandIo): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { org: { type: 'string' }, person: { type: 'string' }, label: { type: 'string' } },
    });
  } catch (error) {
    io.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    switch (command) {
      case 'create': {
        if (!values.org || !values.person || !values.label) {
          io.error(`create needs --org, --person and --label.\n${USAGE}`);
          return 2;
        }
        const issued = await issueApiKey(db, {
          organisationOds: values.org,
          person: values.person,
          label: values.label,
          channel: 'CLI',
          operator: io.operator,
        });
        io.print(`API key for ${issued.organisationOds}, "${issued.label}" (prefix ${issued.prefix}):`);
        io.print('');
        io.print(`  ${issued.key}`);
        io.print('');
        io.print('It is shown this once and cannot be recovered: store it in your secrets manager now.');
        io.print('Send it as the header `Authorization: Bearer <key>`.');
        return 0;
      }
      case 'list': {
        if (!values.org) {
          io.error(`list needs --org.\n${USAGE}`);
          return 2;
        }
        const keys = await listApiKeys(db, values.org);
        if (keys.length === 0) {
          io.print(`${values.org.toUpperCase()} has no API keys.`);
          return 0;
        }
        io.print(['prefix', 'label', 'acts as', 'created', 'last used', 'revoked'].join('\t'));
        for (const key of keys) {
          io.print(
            [
              key.prefix,
              key.label,
              key.personName,
              tableTime(key.createdAt),
              tableTime(key.lastUsedAt),
              tableTime(key.revokedAt),
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'revoke': {
        const [prefix] = positionals;
        if (!prefix || positionals.length > 1) {
          io.error(`revoke needs the key's prefix, and only that.\n${USAGE}`);
          return 2;
        }
        const revoked = await revokeApiKey(db, { prefix, channel: 'CLI', operator: io.operator });
        io.print(revoked ? `Revoked ${prefix}: it no longer works.` : `${prefix} was already revoked.`);
        return 0;
      }
      default:
        io.error(command ? `Unknown command ${command}.\n${USAGE}` : USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof ApiKeyError) {
      io.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  runDatabaseCommand('api-key', (db) =>
    runApiKeyCommand(db, process.argv.slice(2), {
      print: (line) => console.log(line),
      error: (line) => console.error(line),
      operator: userInfo().username,
    }),
  );
}
