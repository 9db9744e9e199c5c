import { type ReactNode, useEffect, useRef } from 'react';
import { ApiProblem } from '../api';
import { plainReason } from '../record/plain-words';

/**
 * Form parts in the GOV.UK Design System's pattern: an error summary at the top (focused, each
 * error a link to its field) and the same message beside the field. The API names each bad field
 * in `details`; `fieldErrorsOf` maps those names to the form's field names.
 */
export type FieldErrors = Record<string, string>;

export interface FormError {
  /** The summary's own message when no field is named (a rule refused it, the family changed). */
  message?: ReactNode;
  fields: FieldErrors;
}

/** The API's 400 details as errors per field; `prefix` is stripped (a correction's `replacement.body.`). */
export function fieldErrorsOf(problem: ApiProblem, known: readonly string[], prefix = '', labels: Record<string, string> = {}): { fields: FieldErrors; unplaced: string[] } {
  const fields: FieldErrors = {};
  const unplaced: string[] = [];
  for (const d of problem.details) {
    const name = d.field.startsWith(prefix) ? d.field.slice(prefix.length) : d.field;
    const text = sentence(name, d.message, labels[name]);
    if (known.includes(name)) fields[name] ??= text;
    else unplaced.push(text);
  }
  return { fields, unplaced };
}

/** What a stale page is told (If-Match no longer matches the family's version). */
export const STALE = 'Someone else recorded something for this family since you opened it. Reload the family to see what changed, then record again.';

/** How a page words what is not a 400's field problems; each page keeps its own wording. */
export interface RefusalWording {
  /** The summary's message when the ledger did not answer (the request threw). */
  unanswered: (error: unknown) => string;
  /** Any other refusal (a 400 naming no field, a rule, a conflict, a 403 or 404) as the form shows it. */
  refused: (problem: ApiProblem, known: readonly string[], rename: (field: string) => string) => FormError;
  /** Between the problems of fields the form does not have, in the summary. */
  separator: string;
}

/**
 * The record and manage pages' wording: a stale page in words, a rule's refusal in plain words; a
 * rule whose message starts with a field's name (`problem: …`, `indicatorCode: …`) is shown beside that field.
 */
export const PLAIN_WORDING: RefusalWording = {
  unanswered: () => 'The ledger did not answer. Send it again: it will be recorded once.',
  refused: (problem, known, rename) => {
    if (problem.status === 409 && problem.reason === 'VersionConflict') return { fields: {}, message: STALE };
    const named = /^([a-zA-Z]+):/.exec(problem.message);
    const field = named ? rename(named[1] as string) : '';
    if (named && known.includes(field)) return { fields: { [field]: plainReason(problem) }, message: undefined };
    return { fields: {}, message: plainReason(problem) };
  },
  separator: '. ',
};

/** A refusal in the API's own message, in the summary. */
export function inApiWords(problem: ApiProblem): FormError {
  return { fields: {}, message: problem.message };
}

/**
 * A refusal as the form shows it: the API's 400 details beside their fields (`rename` maps an API
 * field name to the form's, `labels` names a form field in words), the details of fields the form
 * does not have in the summary, anything else as `wording` says.
 */
export function formErrorOf(
  problem: unknown,
  known: readonly string[],
  labels: Record<string, string> = {},
  { rename = (f: string) => f, wording = PLAIN_WORDING }: { rename?: (field: string) => string; wording?: RefusalWording } = {},
): FormError {
  if (!(problem instanceof ApiProblem)) return { fields: {}, message: wording.unanswered(problem) };
  if (problem.status === 400 && problem.details.length > 0) {
    const renamed = new ApiProblem(
      problem.status,
      problem.message,
      problem.details.map((d) => ({ field: rename(d.field), message: d.message.startsWith(d.field) ? `${rename(d.field)}${d.message.slice(d.field.length)}` : d.message })),
      problem.reason,
    );
    const { fields, unplaced } = fieldErrorsOf(renamed, known, '', labels);
    return { fields, message: unplaced.length > 0 ? unplaced.join(wording.separator) : undefined };
  }
  return wording.refused(problem, known, rename);
}

/** "attendedSessions must be an integer" → "Sessions attended must be an integer" (the field's label, or its name in words). */
function sentence(field: string, message: string, label?: string): string {
  const words =
    label && !label.endsWith('?')
      ? label
      : field
          .replace(/\[(\d+)\]/g, ' $1')
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .toLowerCase();
  const text = message.startsWith(field) ? `${words}${message.slice(field.length)}` : `${words} ${message}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function ErrorSummary({ error }: { error: FormError | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const entries = Object.entries(error.fields);
  return (
    <div className="govuk-error-summary" data-module="govuk-error-summary" ref={ref} tabIndex={-1} data-testid="error-summary">
      <div role="alert">
        <h2 className="govuk-error-summary__title">There is a problem</h2>
        <div className="govuk-error-summary__body">
          {error.message ? <div className="govuk-body">{error.message}</div> : null}
          {entries.length > 0 ? (
            <ul className="govuk-list govuk-error-summary__list">
              {entries.map(([field, text]) => (
                <li key={field}>
                  <a
                    href={`#${fieldId(field)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      (document.getElementById(`${fieldId(field)}-day`) ?? document.getElementById(fieldId(field)))?.focus();
                    }}
                  >
                    {text}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** The element id of a field (a date's first box: its day). */
export function fieldId(name: string, date = false): string {
  return `f-${name}${date ? '-day' : ''}`;
}

function ErrorText({ name, error }: { name: string; error?: string }) {
  if (!error) return null;
  return (
    <p className="govuk-error-message" id={`${fieldId(name)}-error`}>
      <span className="govuk-visually-hidden">Error:</span> {error}
    </p>
  );
}

function described(name: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function Hint({ name, hint }: { name: string; hint?: string }) {
  return hint ? (
    <div className="govuk-hint" id={`${fieldId(name)}-hint`}>
      {hint}
    </div>
  ) : null;
}

export function TextField(props: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  width?: 2 | 3 | 4 | 5 | 10 | 20;
  numeric?: boolean;
  textarea?: boolean;
}) {
  const { name, label, value, onChange, error, hint, width, numeric, textarea } = props;
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label className="govuk-label" htmlFor={fieldId(name)}>
        {label}
      </label>
      <Hint name={name} hint={hint} />
      <ErrorText name={name} error={error} />
      {textarea ? (
        <textarea
          className={`govuk-textarea${error ? ' govuk-textarea--error' : ''}`}
          id={fieldId(name)}
          name={name}
          rows={3}
          value={value}
          aria-describedby={described(name, hint, error)}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          className={`govuk-input${width ? ` govuk-input--width-${width}` : ''}${error ? ' govuk-input--error' : ''}`}
          id={fieldId(name)}
          name={name}
          type="text"
          inputMode={numeric ? 'numeric' : undefined}
          spellCheck={false}
          value={value}
          aria-describedby={described(name, hint, error)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}

export function SelectField(props: { name: string; label: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[]; error?: string; hint?: string }) {
  const { name, label, value, onChange, options, error, hint } = props;
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label className="govuk-label" htmlFor={fieldId(name)}>
        {label}
      </label>
      <Hint name={name} hint={hint} />
      <ErrorText name={name} error={error} />
      <select
        className={`govuk-select${error ? ' govuk-select--error' : ''}`}
        id={fieldId(name)}
        name={name}
        value={value}
        aria-describedby={described(name, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function RadiosField(props: {
  name: string;
  legend: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  error?: string;
  hint?: string;
  inline?: boolean;
}) {
  const { name, legend, value, onChange, options, error, hint, inline } = props;
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset className="govuk-fieldset" aria-describedby={described(name, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        <Hint name={name} hint={hint} />
        <ErrorText name={name} error={error} />
        <div className={`govuk-radios${inline ? ' govuk-radios--inline' : ''}`}>
          {options.map((o, i) => (
            <div key={o.value} className="govuk-radios__item">
              <input
                className="govuk-radios__input"
                id={i === 0 ? fieldId(name) : `${fieldId(name)}-${o.value}`}
                name={name}
                type="radio"
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
              />
              <label className="govuk-label govuk-radios__label" htmlFor={i === 0 ? fieldId(name) : `${fieldId(name)}-${o.value}`}>
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export const NO_DATE: DateParts = { day: '', month: '', year: '' };

/** Day, month and year as `YYYY-MM-DD` for the API to judge; '' when all three are empty. */
export function dateOf(parts: DateParts): string {
  if (!parts.day.trim() && !parts.month.trim() && !parts.year.trim()) return '';
  const pad = (s: string, n: number) => s.trim().padStart(n, '0');
  return `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}`;
}

export function partsOf(date: string | undefined): DateParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  return m && m[1] !== undefined ? { day: String(Number(m[3])), month: String(Number(m[2])), year: m[1] } : NO_DATE;
}

export function DateField(props: { name: string; legend: string; value: DateParts; onChange: (v: DateParts) => void; error?: string; hint?: string }) {
  const { name, legend, value, onChange, error, hint } = props;
  return (
    <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset className="govuk-fieldset" role="group" aria-describedby={described(name, hint, error)}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
        <Hint name={name} hint={hint} />
        <ErrorText name={name} error={error} />
        <div className="govuk-date-input" id={fieldId(name)}>
          {(['day', 'month', 'year'] as const).map((part) => (
            <div key={part} className="govuk-date-input__item">
              <div className="govuk-form-group">
                <label className="govuk-label govuk-date-input__label" htmlFor={`${fieldId(name)}-${part}`}>
                  {part.charAt(0).toUpperCase() + part.slice(1)}
                </label>
                <input
                  className={`govuk-input govuk-date-input__input govuk-input--width-${part === 'year' ? 4 : 2}${error ? ' govuk-input--error' : ''}`}
                  id={`${fieldId(name)}-${part}`}
                  name={`${name}-${part}`}
                  type="text"
                  inputMode="numeric"
                  value={value[part]}
                  onChange={(e) => onChange({ ...value, [part]: e.target.value })}
                />
              </div>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
