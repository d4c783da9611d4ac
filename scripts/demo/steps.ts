/**
 * The actions the demo's staff take, each printed as an `act` line as it is
 * taken and sent through the JourneyClient exactly as chat will send it. A
 * refusal the script did not expect fails the scenario loudly. Lines name the
 * case reference and the clinical summary only, never a patient identifier.
 */
import type { DemoOrg, StaffRole } from '../../db/demo-seed';
import { TREATMENT_FUNCTIONS, isTreatmentFunctionCode } from '../../domain/codes';
import type { CaseState } from '../../domain/journey-states';
import { consoleLine } from '../../bot/console/line';
import type { ActingAs, Decision, JourneyClient } from '../../workflows/client';
import type { JourneyPolicy, JourneyStatus, OfferView } from '../../workflows/contract';
import { demoListing, type DemoPatient } from './patients';

const DAY_MS = 86_400_000;

export interface StepsDeps {
  journeys: JourneyClient;
  policy: JourneyPolicy;
  print: (line: string) => void;
  pauseMs: number;
  signal?: AbortSignal;
}

/** The actions of one scenario, printed as they are taken, failing loudly when the journey refuses. */
export class Steps {
  constructor(
    private readonly deps: StepsDeps,
    private readonly now: () => Date,
  ) {}

  pause(times = 1): Promise<void> {
    return sleep(this.deps.pauseMs * times, this.deps.signal);
  }

  say(text: string): void {
    this.deps.print(consoleLine(this.now(), 'info', text));
  }

  private act(org: DemoOrg, role: StaffRole, text: string): ActingAs {
    this.deps.signal?.throwIfAborted();
    this.deps.print(consoleLine(this.now(), 'act', `${org.staff[role].name} (${role}, ${org.name}) ${text}`));
    return { personId: org.staff[role].personId, organisationOds: org.ods, channel: 'CLI' };
  }

  async list(origin: DemoOrg, role: StaffRole, patient: DemoPatient): Promise<string> {
    const actingAs = this.act(origin, role, `lists a patient for mutual aid: ${clinicalLine(patient)}`);
    const listed = await this.deps.journeys.listPatient(demoListing(patient, origin, this.now()), actingAs);
    if (!listed.ok)
      throw new Error(`listing refused: ${listed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.say(`   → listed as ${listed.caseRef}`);
    return listed.caseRef;
  }

  offerFrom(provider: DemoOrg, proposedInDays: number) {
    const now = this.now().getTime();
    return {
      siteId: provider.siteId,
      proposedDate: new Date(now + proposedInDays * DAY_MS).toISOString().slice(0, 10),
      // Open long enough for the patient to choose, within the policy's longest validity.
      validUntil: new Date(now + Math.floor(this.deps.policy.maxOfferValidityMs * 0.9)).toISOString(),
      clinicalTeam: `${provider.siteName} elective surgery team`,
    };
  }

  async offer(caseRef: string, provider: DemoOrg, proposedInDays: number): Promise<OfferView> {
    const offer = this.offerFrom(provider, proposedInDays);
    const actingAs = this.act(
      provider,
      'clinician',
      `offers to treat ${caseRef} at ${provider.siteName} on ${offer.proposedDate}`,
    );
    return must(await this.deps.journeys.makeOffer(caseRef, actingAs, offer), 'offer');
  }

  /** An offer the journey is expected to refuse; returns the refusal's words. */
  async offerRefused(caseRef: string, provider: DemoOrg, proposedInDays: number): Promise<string> {
    const actingAs = this.act(provider, 'clinician', `tries to offer ${caseRef} a slot at ${provider.siteName}`);
    const made = await this.deps.journeys.makeOffer(caseRef, actingAs, this.offerFrom(provider, proposedInDays));
    if (made.ok) throw new Error('an offer the demo expected to be refused was accepted');
    this.say(`   ✗ refused (${made.code}): ${made.message}`);
    return made.code;
  }

  async choose(caseRef: string, origin: DemoOrg, offer: OfferView, providerName: string): Promise<JourneyStatus> {
    const actingAs = this.act(
      origin,
      'coordinator',
      `records the patient's choice, given by phone: ${offer.siteName} (${providerName})`,
    );
    return must(
      await this.deps.journeys.recordChoice(caseRef, actingAs, { kind: 'ACCEPT', offerId: offer.offerId }),
      'choice',
    );
  }

  async approve(
    caseRef: string,
    org: DemoOrg,
    side: 'ORIGIN_RELEASE' | 'RECEIVING_ACCEPTANCE',
  ): Promise<JourneyStatus> {
    const what = side === 'ORIGIN_RELEASE' ? 'approves releasing the patient' : 'approves receiving the patient';
    const actingAs = this.act(org, 'manager', `${what} (${caseRef})`);
    return must(await this.deps.journeys.decideApproval(caseRef, actingAs, { side, approve: true }), 'approval');
  }

  async confirm(caseRef: string, provider: DemoOrg, treatmentDate: string): Promise<JourneyStatus> {
    const actingAs = this.act(
      provider,
      'coordinator',
      `confirms the transfer of ${caseRef}: treatment booked for ${treatmentDate}`,
    );
    return must(await this.deps.journeys.confirmTransfer(caseRef, actingAs, treatmentDate), 'transfer confirmation');
  }

  async withdraw(caseRef: string, origin: DemoOrg, why: string): Promise<JourneyStatus> {
    const actingAs = this.act(origin, 'coordinator', `withdraws ${caseRef}: ${why}`);
    return must(await this.deps.journeys.withdrawCase(caseRef, actingAs, 'TREATED_LOCALLY'), 'withdrawal');
  }

  /** Polls the journey's status until it is in `state` (and, if given, `round`). */
  async waitFor(caseRef: string, state: CaseState, timeoutMs: number, round?: number): Promise<JourneyStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.deps.signal?.throwIfAborted();
      const status = await this.deps.journeys.status(caseRef);
      if (status.ok && status.value.state === state && (round === undefined || status.value.round === round)) {
        return status.value;
      }
      if (Date.now() > deadline) {
        const seen = status.ok ? `${status.value.state} (round ${status.value.round})` : status.message;
        throw new Error(`${caseRef} did not reach ${state} within ${Math.round(timeoutMs / 1000)} s; it is ${seen}`);
      }
      await sleep(200, this.deps.signal);
    }
  }
}

function must<T>(decision: Decision<T>, what: string): T {
  if (!decision.ok) throw new Error(`${what} refused (${decision.code}): ${decision.message}`);
  return decision.value;
}

function clinicalLine(patient: DemoPatient): string {
  const specialty = isTreatmentFunctionCode(patient.specialtyCode)
    ? TREATMENT_FUNCTIONS[patient.specialtyCode]
    : patient.specialtyCode;
  return `${specialty} · ${patient.procedure} · ${patient.priority} · ${patient.weeksWaiting} wks waiting · BMI ${patient.bmi} · ASA ${patient.asa}`;
}

/** Waits `ms`, or rejects as soon as `signal` is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
