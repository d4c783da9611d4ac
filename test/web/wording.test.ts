/**
 * The patient pages' small pure parts: HTML escaping (what a provider types
 * cannot become markup), the travel, date and wait wording (no figure from
 * too few patients), the NHS.UK CSS as served (no request to another site),
 * and every page's addresses under a reverse proxy's path prefix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestSummary } from '../../db/patient-requests';
import type { WaitFigures } from '../../db/waits';
import type { CaseForChoice, OfferForChoice } from '../../web/choice-offers';
import {
  checkChoicePage,
  choiceRecordedPage,
  choosePage,
  localWaitSentence,
  type ChoiceView,
} from '../../web/choice-page';
import type { LinkRefusal } from '../../web/choice-link';
import { choiceNotSentPage, linkRefusedPage, offerGonePage, offersClosedPage } from '../../web/choice-refusals';
import { longDate, timeAndDate } from '../../web/dates';
import { notFoundPage, noticePage, serverErrorPage } from '../../web/error-pages';
import { escapeHtml, html } from '../../web/html';
import { nhsukStylesheet } from '../../web/nhsuk-assets';
import {
  askPage,
  ineligiblePage,
  requestLinkRefusedPage,
  requestSentPage,
  requestStatusPage,
} from '../../web/request-page';
import { AT_ROOT, basePathOf, publicUrl, sitePathUnder } from '../../web/site-path';
import { distanceWords, driveTimeWords, roughDriveMinutes } from '../../web/travel';
import { addressesIn, cssAddressesIn, pageAddressesEscaping } from '../support/web/addresses';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const siteName = `<script>alert("x")</script> & 'co'`;
    expect(html`<p title="${siteName}">${siteName}</p>`.markup).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
    );
    expect(escapeHtml('"><img src=x onerror=alert(1)>')).not.toMatch(/[<>"]/);
  });

  it('inserts markup built by html as it is, joins arrays, and leaves out null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const markup = html`<ul>${items}</ul>${undefined}${null}${false}${0}`.markup;
    expect(markup).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });
});

describe('travel wording', () => {
  it('takes the road as 1.3 times the straight line at 40 mph, rounded to 5 minutes, then 15 beyond 2 hours', () => {
    expect(roughDriveMinutes(23)).toBe(45); // 44.85
    expect(roughDriveMinutes(36)).toBe(70); // 70.2
    expect(roughDriveMinutes(130)).toBe(255); // 253.5
    expect(driveTimeWords(36)).toBe('about 1 hour 10 minutes by car');
    expect(driveTimeWords(30.8)).toBe('about 1 hour by car');
    expect(driveTimeWords(23)).toBe('about 45 minutes by car');
    expect(driveTimeWords(1)).toBe('less than 5 minutes by car');
    expect(driveTimeWords(130)).toBe('about 4 hours 15 minutes by car');
  });

  it('gives distances in whole miles', () => {
    expect(distanceWords(0.4)).toBe('less than 1 mile');
    expect(distanceWords(1.2)).toBe('about 1 mile');
    expect(distanceWords(22.6)).toBe('about 23 miles');
  });
});

describe('date wording', () => {
  it('writes dates and times as NHS.UK content does, in UK time', () => {
    expect(longDate('2027-01-12')).toBe('Tuesday 12 January 2027');
    expect(timeAndDate(new Date('2027-01-12T16:30:00Z'))).toBe('4:30pm on Tuesday 12 January 2027');
    // British Summer Time: 11:00 UTC is midday in London.
    expect(timeAndDate(new Date('2026-07-01T11:00:00Z'))).toBe('midday on Wednesday 1 July 2026');
    expect(timeAndDate(new Date('2026-07-01T08:05:00Z'))).toBe('9:05am on Wednesday 1 July 2026');
  });
});

describe('wait wording', () => {
  const base = {
    organisationId: 'org',
    odsCode: 'RR8',
    organisationName: 'Leeds Teaching Hospitals NHS Trust',
    specialtyCode: '110',
    specialtyName: 'Trauma & Orthopaedics',
  };
  const figures: WaitFigures = { ...base, patients: 40, meanWeeks: 30.4, p92Weeks: 51.2, suppressed: null };
  const tooFew: WaitFigures = { ...base, patients: 3, meanWeeks: null, p92Weeks: null, suppressed: 'TOO_FEW_PATIENTS' };
  const text = (markup: string) =>
    markup
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

  it('gives the choice page the local wait, or says in words that too few patients wait there for a figure', () => {
    const kase = {
      originName: 'Leeds Teaching Hospitals NHS Trust',
      specialtyName: 'Trauma & Orthopaedics',
    } as CaseForChoice;
    expect(text(localWaitSentence(kase, figures).markup)).toBe(
      'At Leeds Teaching Hospitals NHS Trust, patients waiting for Trauma and Orthopaedics treatment have waited ' +
        '30 weeks on average. 92 in 100 have waited 51 weeks or less.',
    );
    const withheld = localWaitSentence(kase, tooFew).markup;
    expect(withheld).toMatch(/^<p>[^<]*<\/p>$/);
    expect(text(withheld)).toBe(
      'Too few patients are waiting for Trauma and Orthopaedics treatment at Leeds Teaching Hospitals NHS Trust for ' +
        'us to give a reliable figure for how long they wait. Your hospital team can tell you more.',
    );
  });

  it('says the same on the patient’s request page', () => {
    const request = {
      trustName: 'Leeds Teaching Hospitals NHS Trust',
      specialtyName: 'Trauma & Orthopaedics',
      procedure: 'Primary total hip replacement',
      ref: 'PR-1A2B3C4D',
      weeksWaiting: 45,
      expiresAt: new Date('2027-01-12T16:30:00Z'),
    } as RequestSummary;
    const page = (wait: WaitFigures | undefined) => text(askPage(AT_ROOT, request, 'token', wait).html);
    expect(page(figures)).toContain('have waited 30 weeks on average. 92 in 100 have waited 51 weeks or less.');
    expect(page(tooFew)).toContain(
      'Too few patients are waiting for Trauma and Orthopaedics treatment at Leeds Teaching Hospitals NHS Trust for ' +
        'us to give a reliable figure for how long they wait.',
    );
    expect(page(tooFew)).not.toMatch(/on average|92 in 100/);
  });
});

describe('the NHS.UK stylesheet as served', () => {
  it('loads no font from assets.nhs.uk and finds its images under /assets/nhsuk', () => {
    const original = readFileSync(require.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'), 'utf8');
    const served = nhsukStylesheet(original, AT_ROOT);
    expect(original).toContain('assets.nhs.uk');
    expect(served).not.toMatch(/https?:/);
    expect(served).not.toMatch(/url\(["']?\/assets\/images/);
    expect(served).toContain('url("/assets/nhsuk/images/nhsuk-icon-cross.svg")');
    expect(served).toContain('.nhsuk-error-summary');
  });
});

describe('under a reverse proxy’s path prefix', () => {
  const PREFIX = '/mutual-aid';
  const sitePath = sitePathUnder(PREFIX);
  const TOKEN = 'eyJsIjoiMSJ9.c2lnbmF0dXJl';

  it('takes the prefix from PUBLIC_BASE_URL’s path, and none from a URL without one', () => {
    expect(basePathOf(undefined)).toBe('');
    expect(basePathOf('https://mutual-aid.example.nhs.uk')).toBe('');
    expect(basePathOf('https://mutual-aid.example.nhs.uk/')).toBe('');
    expect(basePathOf('https://apps.trust.nhs.uk/mutual-aid')).toBe('/mutual-aid');
    expect(basePathOf('https://apps.trust.nhs.uk/mutual-aid/')).toBe('/mutual-aid');
    expect(basePathOf('https://apps.trust.nhs.uk/patients/mutual-aid/')).toBe('/patients/mutual-aid');
    expect(sitePath('/choice/abc')).toBe('/mutual-aid/choice/abc');
    expect(AT_ROOT('/choice/abc')).toBe('/choice/abc');
    expect(() => sitePathUnder('mutual-aid')).toThrow(/starts with \//);
    expect(() => sitePathUnder('/mutual-aid/')).toThrow(/does not end with one/);
    expect(() => sitePath('choice/abc')).toThrow(/from the app's root/);
  });

  it('builds the patient’s link from the base URL’s origin and prefix', () => {
    expect(publicUrl('https://apps.trust.nhs.uk/mutual-aid', '/choice/abc')).toBe(
      'https://apps.trust.nhs.uk/mutual-aid/choice/abc',
    );
    expect(publicUrl('https://apps.trust.nhs.uk/mutual-aid/', '/request/abc')).toBe(
      'https://apps.trust.nhs.uk/mutual-aid/request/abc',
    );
    expect(publicUrl('http://localhost:3000', '/choice/abc')).toBe('http://localhost:3000/choice/abc');
  });

  it('gives no address outside the prefix on any page, from the stylesheet to the forms and links', () => {
    const kase: CaseForChoice = {
      caseRef: 'MA-1A2B3C',
      round: 1,
      state: 'CHOOSING',
      procedure: 'Primary total hip replacement',
      specialtyCode: '110',
      specialtyName: 'Trauma & Orthopaedics',
      originOrgId: 'org',
      originName: 'Leeds Teaching Hospitals NHS Trust',
      area: { latitude: 53.8, longitude: -1.55 },
    };
    const offer: OfferForChoice = {
      offerId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      round: 1,
      providerName: 'Nuffield Health',
      siteName: 'Nuffield Health York Hospital',
      town: 'York',
      proposedDate: '2027-01-12',
      validUntil: new Date('2027-01-01T00:00:00Z'),
      miles: 22,
    };
    const view: ChoiceView = { kase, offers: [offer], linkExpiresAt: new Date('2027-01-01T00:00:00Z') };
    const request = {
      ref: 'PR-1A2B3C4D',
      status: 'REQUESTED',
      trustName: 'Leeds Teaching Hospitals NHS Trust',
      specialtyName: 'Trauma & Orthopaedics',
      procedure: 'Primary total hip replacement',
      weeksWaiting: 45,
      ineligibleReasons: ['You have been waiting 20 weeks.'],
      expiresAt: new Date('2027-01-12T16:30:00Z'),
    } as RequestSummary;
    const refusals: LinkRefusal[] = ['INVALID', 'EXPIRED', 'USED', 'SUPERSEDED'];
    const pages: Record<string, string> = {
      choose: choosePage(sitePath, view, TOKEN),
      chooseAgain: choosePage(sitePath, view, TOKEN, { missingSelection: true }),
      check: checkChoicePage(sitePath, view, TOKEN, { kind: 'ACCEPT', offer }),
      recorded: choiceRecordedPage(sitePath, kase, { kind: 'STAY_LOCAL' }),
      ...Object.fromEntries(refusals.map((refusal) => [refusal, linkRefusedPage(sitePath, refusal).html])),
      offersClosed: offersClosedPage(sitePath, 'CLOSED').html,
      offerGone: offerGonePage(sitePath, TOKEN).html,
      notSent: choiceNotSentPage(sitePath).html,
      notFound: notFoundPage(sitePath).html,
      serverError: serverErrorPage(sitePath).html,
      notice: noticePage(sitePath, 413, 'Sorry, we could not read your answer', ['Try again.']).html,
      ask: askPage(sitePath, { ...request, status: 'INVITED' }, TOKEN, undefined, { missing: true }).html,
      sent: requestSentPage(sitePath, request).html,
      status: requestStatusPage(sitePath, request).html,
      ineligible: ineligiblePage(sitePath, request).html,
      requestExpired: requestLinkRefusedPage(sitePath, true).html,
      requestInvalid: requestLinkRefusedPage(sitePath, false).html,
    };
    for (const [name, markup] of Object.entries(pages)) {
      // Resolved as the patient's browser resolves them, at a page's address behind the proxy.
      const at = `https://apps.trust.nhs.uk${PREFIX}/choice/${TOKEN}/confirm`;
      expect(pageAddressesEscaping(at, PREFIX, markup), name).toEqual([]);
      expect(addressesIn(markup), name).toContain(`${PREFIX}/assets/nhsuk/nhsuk-frontend.css`);
    }
    expect(addressesIn(pages.choose!)).toContain(`${PREFIX}/choice/${TOKEN}`);
    expect(addressesIn(pages.check!)).toEqual(
      expect.arrayContaining([
        `${PREFIX}/choice/${TOKEN}/confirm`,
        `${PREFIX}/choice/${TOKEN}?choice=${offer.offerId}`,
      ]),
    );
    expect(addressesIn(pages.offerGone!)).toContain(`${PREFIX}/choice/${TOKEN}`);
    expect(addressesIn(pages.ask!)).toContain(`${PREFIX}/request/${TOKEN}`);
    // The same pages at the root are as they were.
    expect(addressesIn(choosePage(AT_ROOT, view, TOKEN))).toContain(`/choice/${TOKEN}`);
    expect(pageAddressesEscaping(`https://a.nhs.uk/choice/${TOKEN}`, '', choosePage(AT_ROOT, view, TOKEN))).toEqual([]);
  });

  it('points the stylesheet’s images under the prefix, quoted whatever characters the prefix has', () => {
    const original = readFileSync(require.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'), 'utf8');
    const served = cssAddressesIn(nhsukStylesheet(original, sitePath));
    expect(served.length).toBeGreaterThan(5);
    for (const address of served) expect(address).toMatch(/^\/mutual-aid\/assets\/nhsuk\/images\/[\w.-]+$/);
    const odd = nhsukStylesheet(original, sitePathUnder(`/it's (odd)`));
    expect(odd).toContain(`url("/it's (odd)/assets/nhsuk/images/nhsuk-icon-cross.svg")`);
  });
});
