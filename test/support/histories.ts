/**
 * Saves and loads workflow histories as JSON. Uses the proto classes'
 * toObject/fromObject: the SDK's proto3-JSON helpers trip over the two copies
 * of protobufjs that npm installs beside Temporal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';

const History = temporal.api.history.v1.History;
const JSON_OPTIONS = { longs: String, enums: String, bytes: String, defaults: false };

export function writeHistory(path: string, history: temporal.api.history.v1.IHistory): void {
  const object = History.toObject(History.fromObject(history), JSON_OPTIONS);
  writeFileSync(path, `${JSON.stringify(object, null, 1)}\n`);
}

export function readHistory(path: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
}
