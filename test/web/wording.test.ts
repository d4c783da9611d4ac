/**
 * The patient pages' small pure parts: HTML escaping (what a provider types
 * cannot become markup), the travel and date wording, and the NHS.UK CSS as
 * served (no request to another site).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { longDate, timeAndDate } from '../../web/dates';
import { escapeHtml, html } from '../../web/html';
import { nhsukStylesheet } from '../../web/nhsuk-assets';
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
