import {
  type FamilyEvent,
  FAMILY_EVENT_TYPES_THE_RULES_READ,
  PERSONAL_DATA_THE_RULES_READ,
  defaultOutcomePlan,
  evaluateProgress,
  familyPersonalData,
  foldFamily,
  troubledFamilies2015,
} from '@ledger/domain';
import { recordedHistories } from './recorded-histories';
import { generateBorough } from './synthetic-borough';

/**
 * Progress, results and claim drafts open only the personal fields of
 * PERSONAL_DATA_THE_RULES_READ (members' records); every other personal field stays sealed in
 * memory. This holds only if the outcome rules never read those fields: judged on the same
 * histories with them removed (as a `$sealed` record leaves them), every answer must be the same.
 */
describe('the outcome rules read no personal field outside PERSONAL_DATA_THE_RULES_READ', () => {
  const asOfs = ['2016-03-31', '2017-03-31', '2018-09-30', '2019-03-31', '2020-03-31'];
  const borough = generateBorough({ families: 300, seed: 21 });
  const histories = recordedHistories(borough, borough.families);

  it('gives the same progress, routes and evidence with the other personal fields sealed', () => {
    let sealedRecords = 0;
    let claimable = 0;
    for (const history of histories) {
      const minimal = history.map(({ event, eventId }) => {
        const kept = seal(event);
        if (kept !== event) sealedRecords += 1;
        return { event: kept, eventId };
      });
      const full = foldFamily(history);
      const sealed = foldFamily(minimal);
      for (const asOf of asOfs) {
        const expected = evaluateProgress(full, defaultOutcomePlan, troubledFamilies2015, asOf);
        expect(evaluateProgress(sealed, defaultOutcomePlan, troubledFamilies2015, asOf)).toEqual(expected);
        if (expected.claimable) claimable += 1;
      }
    }
    // Not vacuous: the histories hold offences, ASB and health concerns, and results.
    expect(sealedRecords).toBeGreaterThan(300);
    expect(claimable).toBeGreaterThan(50);
  });

  it('would notice a rule that read them: without dates of birth the answers change', () => {
    let changed = 0;
    for (const history of histories) {
      const withoutBirthDates = history.map(({ event, eventId }) => ({ event: withoutDatesOfBirth(event), eventId }));
      const full = foldFamily(history);
      const blind = foldFamily(withoutBirthDates);
      for (const asOf of asOfs) {
        let answer: unknown;
        try {
          answer = evaluateProgress(blind, defaultOutcomePlan, troubledFamilies2015, asOf);
        } catch (error) {
          answer = error;
        }
        if (JSON.stringify(answer) !== JSON.stringify(evaluateProgress(full, defaultOutcomePlan, troubledFamilies2015, asOf))) changed += 1;
      }
    }
    expect(changed).toBeGreaterThan(0);
  });
});

/**
 * Council-wide questions read only FAMILY_EVENT_TYPES_THE_RULES_READ from the read model. The
 * answers must be those of the whole history, and the list must hold nothing the rules ignore
 * by accident of the data: leaving out a listed type the histories hold changes some answer.
 */
describe('the outcome rules read no family event type outside FAMILY_EVENT_TYPES_THE_RULES_READ', () => {
  const asOfs = ['2016-03-31', '2017-03-31', '2018-09-30', '2019-03-31', '2020-03-31'];
  const borough = generateBorough({ families: 300, seed: 21 });
  const histories = recordedHistories(borough, borough.families);
  // Both scopes of an outcome plan: problems at entry only, and those identified later too.
  const plans = [defaultOutcomePlan, { ...defaultOutcomePlan, scope: 'at-entry-plus-later' as const }];
  const read = new Set<string>(FAMILY_EVENT_TYPES_THE_RULES_READ);
  const held = new Set(histories.flatMap((h) => h.map(({ event }) => event.type as string)));
  const answers = (keep: (type: string) => boolean, at: readonly string[] = asOfs): string =>
    JSON.stringify(
      histories.map((history) => {
        const state = foldFamily(history.filter(({ event }) => keep(event.type)));
        return plans.flatMap((plan) =>
          at.map((asOf) => {
            try {
              return evaluateProgress(state, plan, troubledFamilies2015, asOf);
            } catch (error) {
              return String(error);
            }
          }),
        );
      }),
    );
  const whole = answers(() => true);

  it('gives the same answers from the listed types alone as from the whole history', () => {
    // Not vacuous: the histories hold the types the list leaves out.
    expect([...held].filter((type) => !read.has(type)).sort()).toEqual(['ConsentRecorded']);
    expect(answers((type) => read.has(type))).toEqual(whole);
  });

  it('changes some answer when a listed type the histories hold is left out', () => {
    const at = ['2017-03-31', '2019-03-31'];
    const wholeAt = answers(() => true, at);
    const unnoticed = FAMILY_EVENT_TYPES_THE_RULES_READ.filter((type) => held.has(type) && answers((t) => t !== type, at) === wholeAt);
    // Members added after identification change no answer in these histories; the domain's
    // own tests judge added members.
    // Phase two never reads a case's closure (a closed case keeps its results); Supporting Families
    // 2022–25 does (outcome-rules.spec.ts, test/outcomes/two-frameworks.e2e.spec.ts).
    expect(unnoticed).toEqual(['FamilyMemberAdded', 'FamilyCaseClosed']);
    // Never recorded by the synthetic borough, so not judged here.
    expect(FAMILY_EVENT_TYPES_THE_RULES_READ.filter((type) => !held.has(type))).toEqual([
      'OutcomeOverrideRecorded',
      'FactCorrected',
      'ActivityChanged',
      'OutcomeMilestoneRecorded',
      'UcConditionalityChanged',
    ]);
  });
});

/** The event as the read model leaves it when its type is not opened: declared fields replaced by a sealed record. */
function seal(event: FamilyEvent): FamilyEvent {
  if (PERSONAL_DATA_THE_RULES_READ.includes(event.type)) return event;
  const declarations = familyPersonalData[event.type] ?? [];
  if (declarations.length === 0) return event;
  const data = { ...(event.data as Record<string, unknown>) };
  for (const declaration of declarations) {
    if (declaration.at !== '') throw new Error(`${event.type}: this test seals records at the event's top level only`);
    const present = declaration.fields.filter((field) => field in data);
    if (present.length === 0) continue;
    for (const field of present) delete data[field];
    data.$sealed = { v: 1, fields: present, box: 'not opened' };
  }
  return { ...event, data } as FamilyEvent;
}

function withoutDatesOfBirth(event: FamilyEvent): FamilyEvent {
  const strip = (member: Record<string, unknown>) => {
    const { dateOfBirth: _dateOfBirth, ...rest } = member;
    return rest;
  };
  if (event.type === 'FamilyIdentified') return { ...event, data: { ...event.data, members: event.data.members.map((m) => strip(m as never)) } } as unknown as FamilyEvent;
  if (event.type === 'FamilyMemberAdded') return { ...event, data: { ...event.data, member: strip(event.data.member as never) } } as unknown as FamilyEvent;
  return event;
}
