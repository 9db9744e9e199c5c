/** UK formats (issue 19.7): £1,234.56 and 5 December 2026. */
const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-GB');
const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthYear = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/London' });

/** Money is integer pence everywhere in the ledger. */
export function money(pence: number): string {
  return pounds.format(pence / 100);
}

export function count(n: number): string {
  return whole.format(n);
}

/** A business date `YYYY-MM-DD` as "5 December 2026". */
export function ukDate(date: string): string {
  return longDate.format(new Date(`${date}T00:00:00Z`));
}

/** A month `YYYY-MM` as "December 2026". */
export function ukMonth(month: string): string {
  return monthYear.format(new Date(`${month}-01T00:00:00Z`));
}

export function ukTime(instant: string): string {
  return time.format(new Date(instant));
}

/** Today in England as `YYYY-MM-DD`. */
export function todayInLondon(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
