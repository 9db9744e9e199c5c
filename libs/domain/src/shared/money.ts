/**
 * Money is integer pence (DOMAIN.md 1: "Money is always integer pence"). A branded number so a
 * pound amount or a float cannot be passed where pence are meant.
 */
export type Pence = number & { readonly __unit: 'pence' };

export function pence(amount: number): Pence {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money must be a whole number of pence, got ${amount}`);
  return amount as Pence;
}

export function addPence(...amounts: Pence[]): Pence {
  return pence(amounts.reduce((sum, a) => sum + a, 0));
}

/** £1,234.56 for reports; never used for arithmetic. */
export function formatPounds(amount: Pence): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const pounds = Math.floor(abs / 100).toLocaleString('en-GB');
  return `${sign}£${pounds}.${String(abs % 100).padStart(2, '0')}`;
}
