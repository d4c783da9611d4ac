/**
 * NHS.UK design system components as small functions returning markup, in
 * the shape nhsuk-frontend's templates render them, for any patient page:
 * error summary, radios in a fieldset, summary list, back link, button,
 * confirmation panel. Only the options our pages use.
 */
import { html, type HtmlValue, type SafeHtml } from './html';

export interface FieldError {
  /** The id of the control the summary links to (the first radio of a group). */
  href: string;
  message: string;
}

/**
 * The error summary at the top of the page. Without JavaScript nothing moves
 * focus to it, so it carries `tabindex="-1"` and `autofocus`: the browser
 * focuses it as the page loads and screen readers announce the errors.
 */
export function errorSummary(errors: FieldError[]): SafeHtml {
  return html`<div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1" autofocus>
    <div role="alert">
      <h2 class="nhsuk-error-summary__heading">There is a problem</h2>
      <div class="nhsuk-error-summary__body">
        <ul class="nhsuk-list nhsuk-error-summary__list">
          ${errors.map((error) => html`<li><a href="#${error.href}">${error.message}</a></li>`)}
        </ul>
      </div>
    </div>
  </div>`;
}

export interface RadioItem {
  value: string;
  label: string;
  /** Shown under the label and read with it. */
  hint?: SafeHtml | string;
  checked?: boolean;
  /** A divider ("or") before this item. */
  dividerBefore?: string;
}

export interface RadiosOptions {
  name: string;
  legend: string;
  /** nhsuk-fieldset__legend size. */
  legendSize?: 's' | 'm' | 'l';
  hint?: string;
  error?: string;
  items: RadioItem[];
}

/** A radio group in a fieldset; the first radio's id is `name`, so an error summary can link to it. */
export function radios(options: RadiosOptions): SafeHtml {
  const { name, error } = options;
  const hintId = `${name}-hint`;
  const errorId = `${name}-error`;
  const describedBy = [options.hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ');
  const items = options.items.map((item, index) => {
    const id = index === 0 ? name : `${name}-${index + 1}`;
    const itemHintId = `${id}-item-hint`;
    return html`${item.dividerBefore && html`<div class="nhsuk-radios__divider">${item.dividerBefore}</div>`}
      <div class="nhsuk-radios__item">
        <input
          class="nhsuk-radios__input"
          id="${id}"
          name="${name}"
          type="radio"
          value="${item.value}"
          ${item.checked ? html` checked` : ''}${item.hint ? html` aria-describedby="${itemHintId}"` : ''}
        />
        <label class="nhsuk-label nhsuk-radios__label" for="${id}">${item.label}</label>
        ${item.hint && html`<div class="nhsuk-hint nhsuk-radios__hint" id="${itemHintId}">${item.hint}</div>`}
      </div>`;
  });
  return html`<div class="nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}">
    <fieldset class="nhsuk-fieldset" ${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
      <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--${options.legendSize ?? 'm'}">
        ${options.legend}
      </legend>
      ${options.hint && html`<div class="nhsuk-hint" id="${hintId}">${options.hint}</div>`}
      ${
        error &&
        html`<span class="nhsuk-error-message" id="${errorId}"
          ><span class="nhsuk-u-visually-hidden">Error:</span> ${error}</span
        >`
      }
      <div class="nhsuk-radios" data-module="nhsuk-radios">${items}</div>
    </fieldset>
  </div>`;
}

export interface SummaryRow {
  key: string;
  value: HtmlValue;
}

export function summaryList(rows: SummaryRow[], options: { noBorder?: boolean } = {}): SafeHtml {
  return html`<dl class="nhsuk-summary-list${options.noBorder ? ' nhsuk-summary-list--no-border' : ''}">
    ${rows.map(
      (row) =>
        html`<div class="nhsuk-summary-list__row">
          <dt class="nhsuk-summary-list__key">${row.key}</dt>
          <dd class="nhsuk-summary-list__value">${row.value}</dd>
        </div>`,
    )}
  </dl>`;
}

export function backLink(href: string, text = 'Back'): SafeHtml {
  return html`<a class="nhsuk-back-link" href="${href}">${text}</a>`;
}

export function insetText(content: SafeHtml): SafeHtml {
  return html`<div class="nhsuk-inset-text">
    <span class="nhsuk-u-visually-hidden">Information: </span>
    ${content}
  </div>`;
}

export function submitButton(text: string, options: { secondary?: boolean } = {}): SafeHtml {
  const classes = options.secondary ? 'nhsuk-button nhsuk-button--secondary' : 'nhsuk-button';
  return html`<button class="${classes}" data-module="nhsuk-button" type="submit">${text}</button>`;
}

/** The green confirmation panel that heads a "you have done it" page; its heading is the page's h1. */
export function confirmationPanel(heading: string, body: SafeHtml): SafeHtml {
  return html`<div class="nhsuk-panel">
    <h1 class="nhsuk-panel__heading">${heading}</h1>
    <div class="nhsuk-panel__body">${body}</div>
  </div>`;
}
