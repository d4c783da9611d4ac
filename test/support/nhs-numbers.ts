/** Makes NHS numbers with a valid modulus-11 check digit, for test patients only. */
export function nhsNumberFrom(nineDigits: number): string {
  for (let base = nineDigits; ; base += 1) {
    const digits = String(base % 1_000_000_000).padStart(9, '0');
    const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${digits}${check === 11 ? 0 : check}`;
  }
}
