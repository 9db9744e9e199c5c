import type { ReactNode } from 'react';
import { ApiProblem } from '../api';
import { type FormError, fieldErrorsOf } from '../components/Form';
import { plainReason } from '../record/plain-words';

/** What a stale page is told (If-Match no longer matches the family's version). */
export const STALE = 'Someone else recorded something for this family since you opened it. Reload the family to see what changed, then record again.';

/**
 * A refusal as the form shows it: the API's 400 details beside their fields (`rename` maps an API
 * field name to the form's), a stale page in words, a rule's refusal in plain words; a rule whose
 * message starts with a field's name (`problem: …`, `indicatorCode: …`) is shown beside that field.
 */
export function formErrorOf(problem: unknown, known: readonly string[], labels: Record<string, string> = {}, rename: (field: string) => string = (f) => f): FormError {
  if (!(problem instanceof ApiProblem)) return { fields: {}, message: 'The ledger did not answer. Send it again: it will be recorded once.' };
  if (problem.status === 409 && problem.reason === 'VersionConflict') return { fields: {}, message: STALE };
  if (problem.status === 400 && problem.details.length > 0) {
    const renamed = new ApiProblem(
      problem.status,
      problem.message,
      problem.details.map((d) => ({ field: rename(d.field), message: d.message.startsWith(d.field) ? `${rename(d.field)}${d.message.slice(d.field.length)}` : d.message })),
      problem.reason,
    );
    const { fields, unplaced } = fieldErrorsOf(renamed, known, '', labels);
    return { fields, message: unplaced.length > 0 ? unplaced.join('. ') : undefined };
  }
  const named = /^([a-zA-Z]+):/.exec(problem.message);
  const field = named ? rename(named[1] as string) : '';
  if (named && known.includes(field)) return { fields: { [field]: plainReason(problem) }, message: undefined };
  return { fields: {}, message: plainReason(problem) };
}

/** The green banner after something was recorded. */
export function Done({ children }: { children: ReactNode }) {
  return (
    <div className="govuk-notification-banner govuk-notification-banner--success" role="alert" data-testid="done">
      <div className="govuk-notification-banner__content">
        <p className="govuk-notification-banner__heading">{children}</p>
      </div>
    </div>
  );
}
