/**
 * The patient pages' small pure parts: HTML escaping (what a provider types
 * cannot become markup), the travel, date and wait wording (no figure from
 * too few patients), and the NHS.UK CSS as served (no request to another site).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestSummary } from '../../db/patient-requests';
import type { WaitFigures } from '../../db/waits';
import type { CaseForChoice } from '../../web/choice-offers';
import { localWaitSentence } from '../../web/choice-page';
import { longDate, timeAndDate } from '../../web/dates';
import { escapeHtml, html } from '../../web/html';
import { nhsukStylesheet } from '../../web/nhsuk-assets';
import { askPage } from '../../web/request-page';
import { distanceWords, driveTimeWords, roughDriveMinutes } from '../../web/travel';

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
    const page = (wait: WaitFigures | undefined) => text(askPage(request, 'token', wait).html);
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
    const served = nhsukStylesheet(original);
    expect(original).toContain('assets.nhs.uk');
    expect(served).not.toMatch(/https?:/);
    expect(served).not.toMatch(/url\(["']?\/assets\/images/);
    expect(served).toContain('url(/assets/nhsuk/images/nhsuk-icon-cross.svg)');
    expect(served).toContain('.nhsuk-error-summary');
  });
});
