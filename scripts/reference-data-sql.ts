/**
 * Prints the SQL of the reference-data migration: treatment function codes
 * from domain/codes.ts and postcode districts from db/reference/uk-outcodes.csv.
 * Run once to write db/migrations/0001_reference_data.sql; later changes go
 * in a new migration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TREATMENT_FUNCTIONS } from '../domain/codes';

const quote = (value: string | undefined): string => (value ? `'${value.replace(/'/g, "''")}'` : 'NULL');

/** Splits one CSV line, honouring double-quoted fields. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += char;
  }
  fields.push(current);
  return fields;
}

const lines: string[] = [];
const functions = Object.entries(TREATMENT_FUNCTIONS).map(([code, name]) => `(${quote(code)}, ${quote(name)})`);
lines.push(`INSERT INTO "treatment_functions" ("code", "name") VALUES\n${functions.join(',\n')};`);

const csv = readFileSync(join(__dirname, '..', 'db', 'reference', 'uk-outcodes.csv'), 'utf8')
  .trim()
  .split('\n');
const districts = csv.slice(1).map((line) => {
  const [outcode, latitude, longitude, town, county, country] = splitCsvLine(line.trim());
  if (!outcode || !latitude || !longitude || !country) throw new Error(`Bad reference row: ${line}`);
  return `(${quote(outcode)}, ${Number(latitude)}, ${Number(longitude)}, ${quote(town)}, ${quote(county)}, ${quote(country)})`;
});
lines.push(
  `INSERT INTO "postcode_districts" ("outcode", "latitude", "longitude", "town", "county", "country") VALUES\n${districts.join(',\n')};`,
);
process.stdout.write(
  `-- Reference data: RTT treatment function codes and UK postcode districts.\n${lines.join('\n--> statement-breakpoint\n')}\n`,
);
