/**
 * The addresses a patient page gives the browser, for checking that a page
 * served under a reverse proxy's path prefix sends the patient nowhere
 * outside it: links, form actions, images and stylesheets in the markup, and
 * the url()s of a stylesheet.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (value: string) => value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

/** Every href, src, srcset, action, formaction, poster and data attribute's value, quoted or not, entities decoded. */
export function addressesIn(markup: string): string[] {
  const attribute = /\s(?:href|src|srcset|action|formaction|poster|data|xlink:href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;
  return [...markup.matchAll(attribute)].map((match) => decode(match[1]!.replace(/^["']|["']$/g, '')));
}

/** The addresses in a stylesheet's url()s. */
export function cssAddressesIn(css: string): string[] {
  return [...css.matchAll(/url\(\s*("[^"]*"|'[^']*'|[^)]*)\s*\)/g)].map((match) =>
    match[1]!.replace(/^["']|["']$/g, '').replace(/\\(.)/g, '$1'),
  );
}

/**
 * The addresses that, resolved as the browser resolves them against the page's own public address, lead off
 * its origin or outside `prefix` (such as /mutual-aid). A `<base>` element would change that resolution, so
 * it counts as escaping too.
 */
export function addressesEscaping(pageUrl: string, prefix: string, addresses: string[]): string[] {
  const page = new URL(pageUrl);
  return addresses.filter((address) => {
    const resolved = new URL(address, page);
    return resolved.origin !== page.origin || !resolved.pathname.startsWith(`${prefix}/`);
  });
}

/** As addressesEscaping, for a whole page: its markup's addresses, and a `<base>` if it has one. */
export function pageAddressesEscaping(pageUrl: string, prefix: string, markup: string): string[] {
  const base = /<base[\s>]/i.test(markup) ? ['<base>'] : [];
  return [...base, ...addressesEscaping(pageUrl, prefix, addressesIn(markup))];
}
