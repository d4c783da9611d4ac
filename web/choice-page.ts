/**
 * The patient's choice, as pages: the offers and the question, the check
 * before sending, and what happens next once the journey has the choice.
 * Pure functions from what the page knows to HTML; they show the case's
 * treatment, hospitals and dates, never who the patient is.
 */
import type { WaitFigures } from '../db/waits';
import type { ChoiceOutcome } from '../domain/journey-states';
import type { CaseForChoice, OfferForChoice } from './choice-offers';
import {
  backLink,
  confirmationPanel,
  errorSummary,
  insetText,
  radios,
  submitButton,
  summaryList,
  type RadioItem,
  type SummaryRow,
} from './components';
import { longDate, timeAndDate } from './dates';
import { html, type SafeHtml } from './html';
import { patientPage } from './layout';
import type { SitePath } from './site-path';
import { distanceWords, driveTimeWords } from './travel';

/** Radio values: an offer's id, or one of these. */
export const STAY_LOCAL = 'STAY_LOCAL';
export const DECLINE_ALL = 'DECLINE_ALL';

export type PageChoice = { kind: 'ACCEPT'; offer: OfferForChoice } | { kind: 'STAY_LOCAL' } | { kind: 'DECLINE_ALL' };

export interface ChoiceView {
  kase: CaseForChoice;
  offers: OfferForChoice[];
  localWait?: WaitFigures;
  linkExpiresAt: Date;
}

const CHOOSE_TITLE = 'Choose where to have your treatment';
const CHECK_TITLE = 'Check your choice';
const NO_SELECTION_ERROR = 'Select where you would like to be treated';

/** From the app's root: a page puts them through its SitePath. */
export const choicePath = (token: string) => `/choice/${token}`;
const confirmPath = (token: string) => `/choice/${token}/confirm`;

const choiceValue = (choice: PageChoice): string => (choice.kind === 'ACCEPT' ? choice.offer.offerId : choice.kind);

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const siteAndTown = (offer: OfferForChoice) => `${offer.siteName}, ${offer.town}`;
/** "Trauma & Orthopaedics" as words in a sentence: "Trauma and Orthopaedics treatment". */
const specialtyTreatment = (kase: CaseForChoice) => `${kase.specialtyName.replace(/ & /g, ' and ')} treatment`;

function weeks(value: number): string {
  const whole = Math.round(value);
  if (whole < 1) return 'less than 1 week';
  return `${whole} ${whole === 1 ? 'week' : 'weeks'}`;
}

/**
 * The wait at the patient's own trust, for comparison: the mean and the 92nd percentile, the RTT standard's
 * measure. With too few patients waiting there is no figure to give (db/waits.ts withholds it), and the page says so.
 */
export function localWaitSentence(kase: CaseForChoice, figures: WaitFigures | undefined): SafeHtml {
  if (!figures) {
    return html`<p>
      We do not have figures for how long patients wait for ${specialtyTreatment(kase)} at ${kase.originName}. Your
      hospital team can tell you more.
    </p>`;
  }
  if (figures.suppressed) {
    return html`<p>
      Too few patients are waiting for ${specialtyTreatment(kase)} at ${kase.originName} for us to give a reliable
      figure for how long they wait. Your hospital team can tell you more.
    </p>`;
  }
  return html`<p>
    At ${kase.originName}, patients waiting for ${specialtyTreatment(kase)} have waited ${weeks(figures.meanWeeks)} on
    average. 92 in 100 have waited ${weeks(figures.p92Weeks)} or less.
  </p>`;
}

function treatmentSummary(kase: CaseForChoice): SafeHtml {
  return summaryList([
    { key: 'Treatment', value: kase.procedure },
    { key: 'Type of care', value: kase.specialtyName },
    { key: 'Your local hospital', value: kase.originName },
    { key: 'Your reference', value: kase.caseRef },
  ]);
}

/** What each offer says beyond its hospital and town (which head it). */
function offerRows(offer: OfferForChoice): SummaryRow[] {
  return [
    { key: 'Run by', value: offer.providerName },
    { key: 'Distance', value: capitalise(`${distanceWords(offer.miles)} from your area, in a straight line`) },
    { key: 'Travel time', value: capitalise(driveTimeWords(offer.miles)) },
    { key: 'Earliest date', value: longDate(offer.proposedDate) },
  ];
}

function offerCard(offer: OfferForChoice): SafeHtml {
  return html`<div class="nhsuk-card">
    <div class="nhsuk-card__content">
      <h3 class="nhsuk-card__heading nhsuk-heading-m">${siteAndTown(offer)}</h3>
      ${summaryList(offerRows(offer))}
    </div>
  </div>`;
}

const stayLocalHint = (kase: CaseForChoice) =>
  `You keep your place on the waiting list at ${kase.originName}. Your hospital team will not look for another hospital for you.`;

const declineAllHint = (kase: CaseForChoice) =>
  `You keep your place on the waiting list at ${kase.originName}. ` +
  'Your hospital team may look for other hospitals and send you a new link if they find one.';

export interface ChooseOptions {
  /** The form was sent with nothing selected. */
  missingSelection?: boolean;
  /** The value to select again (coming back from the check page). */
  selected?: string;
}

export function choosePage(sitePath: SitePath, view: ChoiceView, token: string, options: ChooseOptions = {}): string {
  const { kase, offers } = view;
  const error = options.missingSelection ? NO_SELECTION_ERROR : undefined;
  const items: RadioItem[] = [
    ...offers.map((offer) => ({
      value: offer.offerId,
      label: siteAndTown(offer),
      hint: `Run by ${offer.providerName}. Earliest date ${longDate(offer.proposedDate)}. ${capitalise(
        driveTimeWords(offer.miles),
      )}.`,
    })),
    { value: STAY_LOCAL, label: 'Stay with my local hospital', hint: stayLocalHint(kase), dividerBefore: 'or' },
    { value: DECLINE_ALL, label: 'None of these hospitals', hint: declineAllHint(kase) },
  ].map((item) => ({ ...item, checked: item.value === options.selected }));
  const content = html` ${error && errorSummary([{ href: 'choice', message: error }])}
    <h1>${CHOOSE_TITLE}</h1>
    <p class="nhsuk-lede-text">
      ${offers.length === 1 ? 'Another hospital has' : 'Other hospitals have'} offered to treat you sooner than your
      local hospital. You can choose ${offers.length === 1 ? 'it' : 'one of them'}, or stay with your local hospital.
    </p>
    ${treatmentSummary(kase)}
    <h2>How long you might wait locally</h2>
    ${insetText(localWaitSentence(kase, view.localWait))}
    <h2>${offers.length === 1 ? 'The hospital that can treat you' : 'Hospitals that can treat you'}</h2>
    ${offers.map(offerCard)}
    <p class="nhsuk-body-s">
      Distances are measured in a straight line from the centre of your postcode area. Travel times are a rough guide
      for a car journey and do not include traffic.
    </p>
    <form method="post" action="${sitePath(choicePath(token))}" novalidate>
      ${radios({ name: 'choice', legend: 'Where would you like to be treated?', error, items })}
      <p>This link works once. You can use it until ${timeAndDate(view.linkExpiresAt)}.</p>
      ${submitButton('Continue')}
    </form>`;
  return patientPage({ sitePath, title: CHOOSE_TITLE, hasError: Boolean(error), content });
}

function whatHappensNext(kase: CaseForChoice, choice: PageChoice): SafeHtml {
  if (choice.kind === 'ACCEPT') {
    const { offer } = choice;
    return html`<ol class="nhsuk-list nhsuk-list--number">
        <li>Managers at ${kase.originName} and at ${offer.providerName} check and approve the move.</li>
        <li>
          ${offer.providerName} then contacts you to arrange your treatment at ${offer.siteName}. The earliest date they
          offered is ${longDate(offer.proposedDate)}; they will confirm your date with you.
        </li>
      </ol>
      <p>
        You keep your place on the waiting list at ${kase.originName} until the move is approved. If it is not approved,
        your hospital team will tell you.
      </p>`;
  }
  if (choice.kind === 'STAY_LOCAL') {
    return html`<p>You keep your place on the waiting list at ${kase.originName}. You do not need to do anything.</p>
      <p>Your hospital team will not look for another hospital for you, unless you ask them to.</p>`;
  }
  return html`<p>You keep your place on the waiting list at ${kase.originName}.</p>
    <p>
      Your hospital team may look for other hospitals that can treat you sooner, and send you a new link if they find
      one. If you turn down several offers, they may contact you to talk about your options.
    </p>`;
}

function chosenSummary(kase: CaseForChoice, choice: PageChoice): SafeHtml {
  if (choice.kind === 'ACCEPT') {
    return summaryList([{ key: 'Your choice', value: siteAndTown(choice.offer) }, ...offerRows(choice.offer)]);
  }
  const words = choice.kind === 'STAY_LOCAL' ? `Stay with ${kase.originName}` : 'None of these hospitals';
  return summaryList([{ key: 'Your choice', value: words }]);
}

export function checkChoicePage(sitePath: SitePath, view: ChoiceView, token: string, choice: PageChoice): string {
  const value = choiceValue(choice);
  const content = html` <h1>${CHECK_TITLE}</h1>
    ${chosenSummary(view.kase, choice)}
    <h2>What happens after you confirm</h2>
    ${whatHappensNext(view.kase, choice)}
    ${insetText(
      html`<p>
        You cannot change your choice with this link once you confirm it. If you change your mind later, contact your
        hospital team.
      </p>`,
    )}
    <form method="post" action="${sitePath(confirmPath(token))}" novalidate>
      <input type="hidden" name="choice" value="${value}" />
      ${submitButton('Confirm my choice')}
    </form>`;
  return patientPage({
    sitePath,
    title: CHECK_TITLE,
    beforeContent: backLink(`${sitePath(choicePath(token))}?choice=${encodeURIComponent(value)}`, 'Change your choice'),
    content,
  });
}

const PANEL_HEADINGS: Record<ChoiceOutcome, string> = {
  ACCEPTED_OFFER: 'Your choice has been sent',
  STAYED_LOCAL: 'You are staying with your local hospital',
  DECLINED_ALL: 'You have turned down these offers',
};

/** After the journey took the choice: what was recorded (which may differ from this form, after a double submit). */
export function choiceRecordedPage(sitePath: SitePath, kase: CaseForChoice, choice: PageChoice): string {
  const outcome: ChoiceOutcome =
    choice.kind === 'ACCEPT' ? 'ACCEPTED_OFFER' : choice.kind === 'STAY_LOCAL' ? 'STAYED_LOCAL' : 'DECLINED_ALL';
  const heading = PANEL_HEADINGS[outcome];
  const body =
    choice.kind === 'ACCEPT'
      ? html`You chose ${siteAndTown(choice.offer)}`
      : html`Your reference is <strong>${kase.caseRef}</strong>`;
  const content = html` ${confirmationPanel(heading, body)}
    <h2>What happens next</h2>
    ${whatHappensNext(kase, choice)}
    <p>If you have questions, contact your hospital team and give them your reference, ${kase.caseRef}.</p>
    <p>You can close this page.</p>`;
  return patientPage({ sitePath, title: heading, content });
}
