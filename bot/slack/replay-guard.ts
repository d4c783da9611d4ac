/**
 * Refuses a Slack request sent a second time, byte for byte. Bolt checks
 * the signature and that its timestamp is under five minutes old, but keeps
 * no record of the requests it took, so within those minutes anyone holding
 * a copy of a request (a log, a proxy) could have it acted on again. Here
 * each correctly signed request's signature is recorded in PostgreSQL (so
 * every replica of the bot sees it) and a second one is answered 401.
 *
 * Mounted on the events path before Bolt's receiver; it reads the body once
 * and hands it on as `rawBody`, which Bolt uses instead of the stream.
 * Wrongly signed or stale requests pass through to Bolt, which refuses them;
 * Slack's own retries (`x-slack-retry-num`) pass through too, as the
 * listeners already ignore them.
 */
import express, { type RequestHandler } from 'express';
import { isValidSlackRequest } from '@slack/bolt';
import type { Db } from '../../db/client';
import { firstSighting, forgetStaleSightings } from '../../db/slack-requests-seen';

/** Bolt refuses a request whose timestamp is older than five minutes; a minute more for clock drift. */
const REPLAYABLE_FOR_MS = 6 * 60_000;
const FORGET_EVERY_MS = 60_000;
/** Slack's payloads are small; a modal's is the largest. */
const BODY_LIMIT = '2mb';

export const REPLAY_REFUSAL = 'This request was already received once. A Slack request sent again is refused.';

export function refuseReplayedSlackRequests(options: { db: Db; signingSecret: string }): RequestHandler[] {
  const { db, signingSecret } = options;
  let lastForgot = 0;
  const guard: RequestHandler = async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      (req as typeof req & { rawBody: Buffer }).rawBody = body;
      const signature = req.header('x-slack-signature');
      const timestamp = Number(req.header('x-slack-request-timestamp'));
      const signed =
        signature !== undefined &&
        Number.isInteger(timestamp) &&
        isValidSlackRequest({
          signingSecret,
          body: body.toString(),
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        });
      if (!signed || req.header('x-slack-retry-num') !== undefined) {
        next();
        return;
      }
      if (Date.now() - lastForgot > FORGET_EVERY_MS) {
        lastForgot = Date.now();
        await forgetStaleSightings(db);
      }
      if (await firstSighting(db, signature, new Date(timestamp * 1000 + REPLAYABLE_FOR_MS))) {
        next();
        return;
      }
      res.status(401).type('text/plain').send(REPLAY_REFUSAL);
    } catch (error) {
      next(error);
    }
  };
  return [express.raw({ type: () => true, limit: BODY_LIMIT }), guard];
}
