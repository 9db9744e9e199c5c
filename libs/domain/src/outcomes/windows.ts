import { type BusinessDate, addDays, addMonths } from '../shared/business-date';

/**
 * A look-back window ending on a date (DOMAIN.md 4.1: "all windows end at T"). "The 6 months
 * before T" is the dates d with T − 6 months < d ≤ T: a recurrence on T itself is inside, and one
 * on T − 6 months exactly is outside.
 */
export interface Window {
  /** The window holds dates strictly after this one… */
  after: string;
  /** …up to and including this one. */
  through: string;
}

export function monthsEndingOn(through: string, months: number): Window {
  return { after: addMonths(through as BusinessDate, -months), through };
}

export function inWindow(date: string, window: Window): boolean {
  return window.after < date && date <= window.through;
}

/** `n` days before a date (a negative `n` is after). */
export function daysBefore(date: string, n: number): string {
  return addDays(date as BusinessDate, -n);
}

/** `from … through`, as details name a window. */
export function windowLabel(window: Window): string {
  return `${daysBefore(window.after, -1)} to ${window.through}`;
}

/**
 * The first as-of date whose `months`-month window lies wholly after `attachedOn` (DOMAIN.md 4.1:
 * "a 6-month window can first be met at attachment + 6 months"). Counted forwards from attachment,
 * so a month-end attachment is not pushed later by a short month.
 */
export function sustainedSince(attachedOn: string, months: number): string {
  return addMonths(attachedOn as BusinessDate, months);
}
