/**
 * The notification fan-out: finds who a new listing or a new posting matters
 * to (db/matching) and hands each provider organisation its matches through
 * an injected `DigestStarter` (signal-with-start of that organisation's
 * digest workflow). Retries are harmless: the digest workflow drops a match
 * it has seen (case reference + round), so nobody is told twice.
 */
import { Context } from '@temporalio/activity';
import { caseRounds } from '../../db/cases';
import type { Db } from '../../db/client';
import { casesForPosting, providersForCase } from '../../db/matching';
import type { CaseMatch } from '../contract';

/** Hands matches to a provider organisation's digest, starting it if it is not running. */
export interface DigestStarter {
  addMatches(organisationId: string, matches: CaseMatch[]): Promise<void>;
}

export interface FanOutDeps {
  db: Db;
  digests: DigestStarter;
}

/** Signals sent at once: enough to reach 650 providers in seconds without flooding the frontend. */
const PARALLEL_SIGNALS = 32;
/** The most case references one posting announces; the digest says how many there are. */
const MAX_CASES_PER_POSTING = 200;

export interface AnnounceCaseStep {
  key: string;
  caseRef: string;
  round: number;
}

export interface AnnouncePostingStep {
  key: string;
  postingId: string;
  organisationId: string;
}

export function createFanOutActivities({ db, digests }: FanOutDeps) {
  return {
    /** A case opened for offers (or relisted): every provider with matching capacity hears of it. */
    async announceCase(step: AnnounceCaseStep): Promise<{ providers: number }> {
      // Matching already leaves out the case's own origin organisation.
      const providers = await providersForCase(db, step.caseRef, { now: new Date() });
      const organisationIds = [...new Set(providers.map((p) => p.organisationId))];
      const match: CaseMatch = { caseRef: step.caseRef, round: step.round };
      for (let i = 0; i < organisationIds.length; i += PARALLEL_SIGNALS) {
        await Promise.all(organisationIds.slice(i, i + PARALLEL_SIGNALS).map((id) => digests.addMatches(id, [match])));
        Context.current().heartbeat(i);
      }
      return { providers: organisationIds.length };
    },

    /** A posting opened or changed: its own clinicians hear which waiting cases it could take (never their own). */
    async announcePosting(step: AnnouncePostingStep): Promise<{ cases: number }> {
      const rows = await casesForPosting(db, step.postingId, { now: new Date(), limit: MAX_CASES_PER_POSTING });
      const rounds = await caseRounds(
        db,
        rows.map((row) => row.caseRef),
      );
      const matches: CaseMatch[] = rows.flatMap((row) => {
        const round = rounds.get(row.caseRef);
        return round === undefined ? [] : [{ caseRef: row.caseRef, round }];
      });
      if (matches.length > 0) await digests.addMatches(step.organisationId, matches);
      return { cases: matches.length };
    },
  };
}
