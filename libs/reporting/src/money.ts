/**
 * `£1,234.56` from integer pence by digit manipulation only: no division, no float and no locale
 * (so the bytes do not depend on the ICU data Node was built with).
 */
export function poundsText(amountPence: number): string {
  assertPence(amountPence, 'amount');
  const sign = amountPence < 0 ? '-' : '';
  const digits = String(Math.abs(amountPence)).padStart(3, '0');
  const pounds = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${sign}£${pounds}.${digits.slice(-2)}`;
}

export function assertPence(amount: number, what: string): void {
  // DOMAIN.md 1: money is always integer pence.
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${what} must be a whole number of pence, got ${amount}`);
}

export function addWhole(a: number, b: number): number {
  const sum = a + b;
  assertPence(sum, 'total');
  return sum;
}
