import { type FormEvent, useRef, useState } from 'react';
import { ApiProblem, newIdempotencyKey, sendCommand } from '../api';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, TextField, dateOf, formErrorOf } from '../components/Form';
import { money, ukDate } from '../format';
import { Done } from './forms';

/** "£1,234.56" → 123456 pence, in whole numbers (never through a float); null when it is not an amount. */
export function penceOf(text: string): number | null {
  const m = /^£?\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number((m[1] as string).replace(/,/g, '')) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** One submission at a time; one Idempotency-Key per submission, kept for a resend after a lost answer. */
function useOnce() {
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(send: (key: string) => Promise<T>): Promise<T | undefined> => {
    if (sending.current) return undefined;
    sending.current = true;
    setBusy(true);
    try {
      const answer = await send(key.current);
      key.current = newIdempotencyKey();
      return answer;
    } catch (problem) {
      if (problem instanceof ApiProblem) key.current = newIdempotencyKey();
      throw problem;
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };
  return { run, busy };
}

const RECEIPT_FIELDS = ['r-receivedOn', 'r-amountPence', 'r-financialYear'];
const receiptField = (f: string) => `r-${f}`;

/**
 * The finance officer records the attachment fees received from central government
 * (`POST /api/attachment-fees/receipts`): a receipt like one already recorded is refused
 * (`PossibleDuplicateReceipt`) until the officer confirms it is a second one.
 */
export function FeeReceiptForm({ onRecorded }: { onRecorded: () => void }) {
  const [receivedOn, setReceivedOn] = useState<DateParts>(NO_DATE);
  const [amount, setAmount] = useState('');
  const [financialYear, setFinancialYear] = useState('');
  const [duplicate, setDuplicate] = useState(false);
  const [askDuplicate, setAskDuplicate] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { run, busy } = useOnce();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const amountPence = penceOf(amount);
    if (amountPence === null || amountPence < 1) return setError({ fields: { 'r-amountPence': 'Enter the amount received in pounds, for example 125000.00' } });
    try {
      const answered = await run((key) =>
        sendCommand(
          '/api/attachment-fees/receipts',
          { receivedOn: dateOf(receivedOn), amountPence, financialYear: financialYear.trim(), ...(duplicate ? { allowDuplicate: true } : {}) },
          { idempotencyKey: key },
        ),
      );
      if (answered === undefined) return;
      setError(null);
      setAskDuplicate(false);
      setDuplicate(false);
      setDone(`${money(amountPence)} received on ${ukDate(dateOf(receivedOn))} for ${financialYear.trim()} is recorded.`);
      setAmount('');
      onRecorded();
    } catch (problem) {
      if (problem instanceof ApiProblem && problem.reason === 'PossibleDuplicateReceipt') {
        setAskDuplicate(true);
        return setError({ fields: {}, message: 'A receipt of this amount on this date for this year is already recorded. If this is a second payment, confirm it below and record it again.' });
      }
      setError(formErrorOf(problem, RECEIPT_FIELDS, { 'r-receivedOn': 'Received on', 'r-amountPence': 'Amount', 'r-financialYear': 'Financial year' }, { rename: receiptField }));
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="fee-receipt">
      <h3 className="govuk-heading-s">Record attachment fees received</h3>
      {done ? <Done>{done}</Done> : null}
      <ErrorSummary error={error} />
      <DateField name="r-receivedOn" legend="Received on" value={receivedOn} onChange={setReceivedOn} error={error?.fields['r-receivedOn']} />
      <TextField name="r-amountPence" label="Amount received (£)" value={amount} onChange={setAmount} error={error?.fields['r-amountPence']} width={10} />
      <TextField
        name="r-financialYear"
        label="For the financial year"
        hint="For example 2018/19"
        value={financialYear}
        onChange={setFinancialYear}
        error={error?.fields['r-financialYear']}
        width={5}
      />
      {askDuplicate ? (
        <div className="govuk-form-group">
          <div className="govuk-checkboxes govuk-checkboxes--small">
            <div className="govuk-checkboxes__item">
              <input className="govuk-checkboxes__input" id="f-r-allowDuplicate" type="checkbox" checked={duplicate} onChange={(e) => setDuplicate(e.target.checked)} />
              <label className="govuk-label govuk-checkboxes__label" htmlFor="f-r-allowDuplicate">
                This is a second payment, not the same one twice
              </label>
            </div>
          </div>
        </div>
      ) : null}
      <button type="submit" className="govuk-button" disabled={busy}>
        Record the receipt
      </button>
    </form>
  );
}

const WINDOW_FIELDS = ['w-windowId', 'w-opensOn', 'w-closesOn', 'w-expectedPaymentOn'];
const windowField = (f: string) => `w-${f}`;

/** A claim window (`POST /api/claim-windows`): claims are drafted for one, as of a date inside it. */
export function ClaimWindowForm({ onRecorded }: { onRecorded: () => void }) {
  const [windowId, setWindowId] = useState('');
  const [opensOn, setOpensOn] = useState<DateParts>(NO_DATE);
  const [closesOn, setClosesOn] = useState<DateParts>(NO_DATE);
  const [expectedPaymentOn, setExpectedPaymentOn] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { run, busy } = useOnce();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    try {
      const answered = await run((key) =>
        sendCommand('/api/claim-windows', { windowId: windowId.trim(), opensOn: dateOf(opensOn), closesOn: dateOf(closesOn), expectedPaymentOn: dateOf(expectedPaymentOn) }, { idempotencyKey: key }),
      );
      if (answered === undefined) return;
      setError(null);
      setDone(`Claim window ${windowId.trim()} is recorded.`);
      onRecorded();
    } catch (problem) {
      setError(
        formErrorOf(problem, WINDOW_FIELDS, { 'w-windowId': 'Window name', 'w-opensOn': 'Opens on', 'w-closesOn': 'Closes on', 'w-expectedPaymentOn': 'Payment expected on' }, { rename: windowField }),
      );
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="claim-window">
      <h3 className="govuk-heading-s">Add a claim window</h3>
      {done ? <Done>{done}</Done> : null}
      <ErrorSummary error={error} />
      <TextField name="w-windowId" label="Window name" hint="For example 2019-20-w1" value={windowId} onChange={setWindowId} error={error?.fields['w-windowId']} width={10} />
      <DateField name="w-opensOn" legend="Opens on" value={opensOn} onChange={setOpensOn} error={error?.fields['w-opensOn']} />
      <DateField name="w-closesOn" legend="Closes on" value={closesOn} onChange={setClosesOn} error={error?.fields['w-closesOn']} />
      <DateField name="w-expectedPaymentOn" legend="Payment expected on" value={expectedPaymentOn} onChange={setExpectedPaymentOn} error={error?.fields['w-expectedPaymentOn']} />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        Add the window
      </button>
    </form>
  );
}

const PROFILE_FIELDS = ['p-financialYear', 'p-families'];
const profileField = (f: string) => `p-${f}`;

/** The government's annual profile of families (`POST /api/attachment-fees/profile`): on the profile basis, fees are due on it. */
export function AttachmentProfileForm({ onRecorded }: { onRecorded: () => void }) {
  const [financialYear, setFinancialYear] = useState('');
  const [families, setFamilies] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { run, busy } = useOnce();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    if (!/^\d+$/.test(families.trim())) return setError({ fields: { 'p-families': 'Enter the number of families in the profile, for example 120' } });
    try {
      const answered = await run((key) => sendCommand('/api/attachment-fees/profile', { financialYear: financialYear.trim(), families: Number(families.trim()) }, { idempotencyKey: key }));
      if (answered === undefined) return;
      setError(null);
      setDone(`The profile for ${financialYear.trim()} is set: ${families.trim()} families.`);
      onRecorded();
    } catch (problem) {
      setError(formErrorOf(problem, PROFILE_FIELDS, { 'p-financialYear': 'Financial year', 'p-families': 'Families' }, { rename: profileField }));
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="fee-profile">
      <h3 className="govuk-heading-s">Set a year&rsquo;s attachment profile</h3>
      <p className="govuk-body">
        On the profile basis, a year&rsquo;s fees are due on the government&rsquo;s profile of families, and the report shows the true-up against the families attached. A year&rsquo;s profile is set
        once.
      </p>
      {done ? <Done>{done}</Done> : null}
      <ErrorSummary error={error} />
      <TextField name="p-financialYear" label="Financial year" hint="For example 2019/20" value={financialYear} onChange={setFinancialYear} error={error?.fields['p-financialYear']} width={5} />
      <TextField name="p-families" label="Families in the profile" numeric value={families} onChange={setFamilies} error={error?.fields['p-families']} width={5} />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={busy}>
        Set the profile
      </button>
    </form>
  );
}
