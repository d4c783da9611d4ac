/**
 * The local chat client `npm start` runs in place of Slack and Teams: it
 * polls the notification outbox, prints each new notification as one chat
 * line and marks it delivered, so every message is shown once even across
 * restarts. Deliveries run one batch at a time, in outbox order.
 */
import type { Db } from '../../db/client';
import { caseClinicalSummary, offerLabel, organisationNames } from '../../db/chat-lookups';
import { markNotificationsDelivered, undeliveredNotifications } from '../../db/outbox';
import type { Audience } from '../../domain/notifications';
import { weeksWaiting } from '../../domain/rtt';
import { consoleLine } from './line';
import { renderNotification, type ClinicalSummary } from './render-notification';

export interface ConsoleChatOptions {
  db: Db;
  print: (line: string) => void;
  pollMs?: number;
  now?: () => Date;
}

export interface ConsoleChat {
  /** Delivers everything waiting now; resolves with how many lines were printed. */
  drain(): Promise<number>;
  /** Stops polling after the batch in hand. */
  stop(): Promise<void>;
}

const BATCH = 100;

export function startConsoleChat({ db, print, pollMs = 250, now = () => new Date() }: ConsoleChatOptions): ConsoleChat {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<number> = Promise.resolve(0);
  let lastError = '';

  const deliverBatch = async (): Promise<number> => {
    const rows = await undeliveredNotifications(db, BATCH);
    if (rows.length === 0) return 0;
    const audiences = rows.map((row) => row.audience as Audience);
    const orgIds = audiences.flatMap((audience) => (audience.kind === 'ORGANISATION' ? [audience.organisationId] : []));
    const names = await organisationNames(db, [...new Set(orgIds)]);
    const summaries = new Map<string, ClinicalSummary | undefined>();
    for (const [index, row] of rows.entries()) {
      if (row.caseRef && !summaries.has(row.caseRef)) {
        const found = await caseClinicalSummary(db, row.caseRef);
        summaries.set(row.caseRef, found && { ...found, weeksWaiting: weeksWaiting(found.rttClockStart, now()) });
      }
      const data = row.payload as Record<string, unknown>;
      const offer = typeof data.offerId === 'string' ? await offerLabel(db, data.offerId) : undefined;
      const text = renderNotification(
        { kind: row.kind, caseRef: row.caseRef, audience: audiences[index]!, data },
        row.caseRef ? summaries.get(row.caseRef) : undefined,
        { organisationName: (id) => names.get(id), offer },
      );
      print(consoleLine(row.createdAt, 'chat', text));
    }
    await markNotificationsDelivered(
      db,
      rows.map((row) => row.id),
    );
    lastError = '';
    return rows.length;
  };

  /** Batches run strictly one after another, so polling and drain never print a row twice. */
  const enqueue = (): Promise<number> => {
    queue = queue.then(deliverBatch).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      // Say so once, not every 250 ms while the database is away.
      if (message !== lastError)
        print(consoleLine(now(), 'info', `(chat client could not read the outbox: ${message})`));
      lastError = message;
      return 0;
    });
    return queue;
  };

  const poll = async () => {
    await enqueue();
    if (!stopped) timer = setTimeout(() => void poll(), pollMs);
  };
  void poll();

  return {
    async drain() {
      let printed = 0;
      for (;;) {
        const batch = await enqueue();
        printed += batch;
        if (batch < BATCH) return printed;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await queue;
    },
  };
}
