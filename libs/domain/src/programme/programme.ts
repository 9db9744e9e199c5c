import { type Decision, type DomainEvent, accept, reject } from '../shared/decision';
import { isBusinessDate } from '../shared/business-date';
import { type Decider, type StoredEvent, plainEvent } from '../shared/decider';
import { frameworks } from './frameworks';

// Events of `programme-<councilId>`: the council's set-up, its claim windows, and the places of
// its allocation taken by attachments (so the allocation is enforced on one stream, with its
// expected version guarding concurrent attachments).

export type ProgrammeEvent =
  | DomainEvent<'ProgrammeConfigured', { councilName: string; framework: string; allocation: number; attachmentFeeBasis: 'actual' | 'profile' }>
  | DomainEvent<'ClaimWindowDefined', { windowId: string; opensOn: string; closesOn: string; expectedPaymentOn: string }>
  | DomainEvent<'AllocationPlaceTaken', { familyId: string; attachedOn: string }>
  /** A place taken for an attachment the family's own stream then refused (issue 14.4): free again. */
  | DomainEvent<'AllocationPlaceReleased', { familyId: string }>
  | DomainEvent<'AttachmentFeeReceived', { receivedOn: string; amountPence: number; financialYear: string }>
  | DomainEvent<'AttachmentProfileSet', { financialYear: string; families: number; setOn: string }>;

export interface ProgrammeState {
  configured: boolean;
  councilName: string;
  framework: string;
  allocation: number;
  attachmentFeeBasis: 'actual' | 'profile';
  claimWindows: { windowId: string; opensOn: string; closesOn: string; expectedPaymentOn: string }[];
  /** Families holding a place of the allocation, with their attachment dates. */
  attachedFamilies: Map<string, string>;
  /** Attachment fees received from central government, per financial year (pence). */
  feesReceived: Map<string, number>;
  /** The annual profile (families expected per financial year), for the `profile` fee basis. */
  profile: Map<string, number>;
  /** Every receipt as recorded, to catch the same receipt recorded twice (issue 18.7). */
  receipts: { financialYear: string; receivedOn: string; amountPence: number }[];
}

export const initialProgrammeState = (): ProgrammeState => ({
  configured: false,
  councilName: '',
  framework: '',
  allocation: 0,
  attachmentFeeBasis: 'actual',
  claimWindows: [],
  attachedFamilies: new Map(),
  feesReceived: new Map(),
  profile: new Map(),
  receipts: [],
});

export function evolveProgramme(state: ProgrammeState, event: ProgrammeEvent): ProgrammeState {
  switch (event.type) {
    case 'ProgrammeConfigured':
      return { ...state, configured: true, ...event.data };
    case 'ClaimWindowDefined':
      return { ...state, claimWindows: [...state.claimWindows, event.data] };
    case 'AllocationPlaceTaken': {
      const attachedFamilies = new Map(state.attachedFamilies);
      attachedFamilies.set(event.data.familyId, event.data.attachedOn);
      return { ...state, attachedFamilies };
    }
    case 'AllocationPlaceReleased': {
      const attachedFamilies = new Map(state.attachedFamilies);
      attachedFamilies.delete(event.data.familyId);
      return { ...state, attachedFamilies };
    }
    case 'AttachmentFeeReceived': {
      const feesReceived = new Map(state.feesReceived);
      feesReceived.set(event.data.financialYear, (feesReceived.get(event.data.financialYear) ?? 0) + event.data.amountPence);
      const { financialYear, receivedOn, amountPence } = event.data;
      return { ...state, feesReceived, receipts: [...state.receipts, { financialYear, receivedOn, amountPence }] };
    }
    case 'AttachmentProfileSet': {
      const profile = new Map(state.profile);
      profile.set(event.data.financialYear, event.data.families);
      return { ...state, profile };
    }
  }
}

export type ProgrammeCommand =
  | { type: 'ConfigureProgramme'; councilName: string; framework: string; allocation: number; attachmentFeeBasis?: 'actual' | 'profile' }
  | { type: 'DefineClaimWindow'; windowId: string; opensOn: string; closesOn: string; expectedPaymentOn: string }
  | { type: 'TakeAllocationPlace'; familyId: string; attachedOn: string }
  /**
   * Gives back the place a refused attachment took. `familyAttached`: whether the family's own
   * stream records it attached (then its place is kept: another request attached it).
   */
  | { type: 'ReleaseAllocationPlace'; familyId: string; familyAttached: boolean }
  /**
   * `recordedOn`: the day of recording (a receipt dated after it is refused); `allowDuplicate`: the
   * finance officer confirms a second receipt of the same year, date and amount is a real one.
   */
  | { type: 'RecordAttachmentFeeReceipt'; receivedOn: string; amountPence: number; financialYear: string; recordedOn: string; allowDuplicate?: boolean }
  | { type: 'SetAttachmentProfile'; financialYear: string; families: number; setOn: string };

export function decideProgramme(command: ProgrammeCommand, state: ProgrammeState): Decision<ProgrammeEvent> {
  switch (command.type) {
    case 'ConfigureProgramme': {
      if (!frameworks[command.framework]) {
        return reject('UnknownFramework', `no financial framework "${command.framework}"; known: ${Object.keys(frameworks).join(', ')}`);
      }
      if (state.configured && command.framework !== state.framework && state.attachedFamilies.size > 0) {
        return reject('FrameworkInUse', `framework: ${state.attachedFamilies.size} families are attached under ${state.framework}; the framework cannot change`);
      }
      if (command.allocation < state.attachedFamilies.size) {
        return reject('AllocationBelowAttachments', `the allocation cannot be ${command.allocation}: ${state.attachedFamilies.size} families are already attached`);
      }
      const data = {
        councilName: command.councilName,
        framework: command.framework,
        allocation: command.allocation,
        attachmentFeeBasis: command.attachmentFeeBasis ?? state.attachmentFeeBasis,
      };
      const unchanged =
        state.configured &&
        state.councilName === data.councilName &&
        state.framework === data.framework &&
        state.allocation === data.allocation &&
        state.attachmentFeeBasis === data.attachmentFeeBasis;
      return unchanged ? accept() : accept({ type: 'ProgrammeConfigured', data });
    }
    case 'DefineClaimWindow': {
      if (!isBusinessDate(command.opensOn) || !isBusinessDate(command.closesOn) || !isBusinessDate(command.expectedPaymentOn)) {
        return reject('InvalidDate', 'claim window dates must be calendar dates');
      }
      if (state.claimWindows.some((w) => w.windowId === command.windowId)) {
        return reject('ClaimWindowExists', `claim window "${command.windowId}" is already defined`, 'duplicate');
      }
      if (command.closesOn < command.opensOn) return reject('EndBeforeStart', 'the window closes before it opens');
      if (command.expectedPaymentOn < command.closesOn) return reject('PaymentBeforeClose', 'payment is expected before the window closes');
      const { windowId, opensOn, closesOn, expectedPaymentOn } = command;
      return accept({ type: 'ClaimWindowDefined', data: { windowId, opensOn, closesOn, expectedPaymentOn } });
    }
    case 'TakeAllocationPlace': {
      if (!state.configured) return reject('ProgrammeNotConfigured', 'the programme has not been set up (PUT /api/programme)');
      if (state.attachedFamilies.has(command.familyId)) return accept();
      if (state.attachedFamilies.size >= state.allocation) {
        return reject('AllocationExhausted', `all ${state.allocation} places of the council's allocation are taken`);
      }
      return accept({ type: 'AllocationPlaceTaken', data: { familyId: command.familyId, attachedOn: command.attachedOn } });
    }
    case 'ReleaseAllocationPlace': {
      if (!state.attachedFamilies.has(command.familyId)) return accept();
      if (command.familyAttached) return reject('FamilyAttached', 'the family is attached: its place of the allocation is kept');
      return accept({ type: 'AllocationPlaceReleased', data: { familyId: command.familyId } });
    }
    case 'RecordAttachmentFeeReceipt': {
      if (!state.configured) return reject('ProgrammeNotConfigured', 'the programme has not been set up (PUT /api/programme)');
      if (!isBusinessDate(command.receivedOn)) return reject('InvalidDate', 'receivedOn must be a calendar date');
      if (command.receivedOn > command.recordedOn) return reject('BusinessDateInFuture', `${command.receivedOn} is after the day it is being recorded (${command.recordedOn})`);
      if (!Number.isSafeInteger(command.amountPence) || command.amountPence <= 0) return reject('InvalidAmount', 'amountPence must be a positive whole number of pence');
      const framework = frameworks[state.framework];
      if (!framework?.ratesByFinancialYear[command.financialYear]) {
        return reject('UnknownFinancialYear', `the ${state.framework} framework has no rates for ${command.financialYear}`);
      }
      const { receivedOn, amountPence, financialYear } = command;
      // Receipts are never counted twice silently: the same year, date and amount again must be confirmed.
      const twin = state.receipts.some((r) => r.financialYear === financialYear && r.receivedOn === receivedOn && r.amountPence === amountPence);
      if (twin && command.allowDuplicate !== true) {
        return reject(
          'PossibleDuplicateReceipt',
          `a receipt of ${amountPence}p for ${financialYear} on ${receivedOn} is already recorded; send allowDuplicate: true if this is a second one`,
          'duplicate',
        );
      }
      return accept({ type: 'AttachmentFeeReceived', data: { receivedOn, amountPence, financialYear } });
    }
    case 'SetAttachmentProfile': {
      if (!state.configured) return reject('ProgrammeNotConfigured', 'the programme has not been set up (PUT /api/programme)');
      if (!frameworks[state.framework]?.ratesByFinancialYear[command.financialYear]) {
        return reject('UnknownFinancialYear', `the ${state.framework} framework has no rates for ${command.financialYear}`);
      }
      if (!Number.isSafeInteger(command.families) || command.families < 0) return reject('InvalidProfile', 'families must be a whole number');
      if (state.profile.has(command.financialYear)) {
        return reject('ProfileAlreadySet', `the profile for ${command.financialYear} is already set (${state.profile.get(command.financialYear)} families)`, 'duplicate');
      }
      return accept({ type: 'AttachmentProfileSet', data: { financialYear: command.financialYear, families: command.families, setOn: command.setOn } });
    }
  }
}

/** The one step from a stored event to a programme event (upcasters go here). */
export const decodeProgrammeEvent = (stored: Pick<StoredEvent, 'type' | 'data'>): ProgrammeEvent => plainEvent<ProgrammeEvent>(stored);

/** The rules of `programme-<councilId>`. */
export const programmeDecider: Decider<ProgrammeCommand, ProgrammeEvent, ProgrammeState> = {
  initialState: initialProgrammeState,
  evolve: evolveProgramme,
  decide: decideProgramme,
  decode: decodeProgrammeEvent,
};
