/** Case references: `MA-` and eight Crockford base-32 characters, random, so they reveal nothing. */
export const CASE_REF_PATTERN = /^MA-[0-9A-HJKMNP-TV-Z]{8}$/;
export const CASE_REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `randomIndex(n)` must return a uniformly random integer in [0, n). */
export function newCaseRef(randomIndex: (n: number) => number): string {
  let body = '';
  for (let i = 0; i < 8; i += 1) body += CASE_REF_ALPHABET[randomIndex(CASE_REF_ALPHABET.length)];
  return `MA-${body}`;
}

export function isCaseRef(value: string): boolean {
  return CASE_REF_PATTERN.test(value);
}
