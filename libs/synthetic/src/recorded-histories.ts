import { type FamilyEvent, type ProgrammeCommand, type ProgrammeState, decideFamily, decideProgramme, evolveFamily, evolveProgramme, initialFamilyState, initialProgrammeState } from '@ledger/domain';
import type { SyntheticBorough, SyntheticFamily } from './synthetic-borough';

/** The programme a borough's set-up commands configure, through the programme decider. */
export function configuredProgramme(programme: ProgrammeCommand, windows: readonly ProgrammeCommand[]): ProgrammeState {
  let state = initialProgrammeState();
  for (const command of [programme, ...windows]) {
    const decision = decideProgramme(command, state);
    if (!decision.ok) throw new Error(`${command.type}: ${decision.rejection.reason}`);
    for (const event of decision.events) state = evolveProgramme(state, event);
  }
  return state;
}

/**
 * Each family's recorded events, from its commands through the deciders as the api records them
 * (allocation places taken on the programme first), in memory: for specs that judge whole
 * boroughs without a store.
 */
export function recordedHistories(borough: Pick<SyntheticBorough, 'programme' | 'claimWindows'>, families: readonly SyntheticFamily[]): { event: FamilyEvent; eventId: string }[][] {
  let programme = configuredProgramme(borough.programme, borough.claimWindows);
  return families.map((family) => {
    let state = initialFamilyState();
    const history: { event: FamilyEvent; eventId: string }[] = [];
    family.commands.forEach(({ command, recordedOn }, index) => {
      if (command.type === 'AttachFamily') {
        const place = decideProgramme({ type: 'TakeAllocationPlace', familyId: family.familyId, attachedOn: command.attachedOn }, programme);
        if (place.ok) for (const event of place.events) programme = evolveProgramme(programme, event);
      }
      const decision = decideFamily(command, state, { recordedOn, actorId: 'synthetic', programme, programmeStartsOn: '2015-04-01' });
      if (!decision.ok) throw new Error(`${family.reference} #${index} ${command.type}: ${decision.rejection.reason}`);
      decision.events.forEach((event, n) => {
        const eventId = `${family.familyId}-${index}-${n}`;
        state = evolveFamily(state, event, eventId);
        history.push({ event, eventId });
      });
    });
    return history;
  });
}
