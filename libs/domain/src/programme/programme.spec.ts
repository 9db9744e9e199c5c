import { deciderSpec } from '../shared/decider-spec';
import { decideProgramme, evolveProgramme, initialProgrammeState, type ProgrammeCommand, type ProgrammeEvent } from './programme';

const programme = { decide: decideProgramme, evolve: evolveProgramme, initialState: initialProgrammeState };
const { given } = deciderSpec(programme);

describe("programme: setting up the council's programme", () => {
  it('configures the phase-two programme, paying attachment fees per family actually attached by default', () =>
    given().when({ type: 'ConfigureProgramme', councilName: 'East Sussex', framework: 'troubled-families-2015', allocation: 3570 }).then(configured));

  it('configures a council paid attachment fees on its annual profile', () =>
    given()
      .when({ ...configure, attachmentFeeBasis: 'profile' })
      .then({ type: 'ProgrammeConfigured', data: { ...configured.data, attachmentFeeBasis: 'profile' } }));

  it('records nothing when the same set-up is sent again', () => given(configured).when(configure).thenNothing());

  it('changes the allocation and keeps the attachment fee basis already chosen', () =>
    given({ type: 'ProgrammeConfigured', data: { ...configured.data, attachmentFeeBasis: 'profile' } })
      .when({ ...configure, allocation: 3600 })
      .then({ type: 'ProgrammeConfigured', data: { ...configured.data, allocation: 3600, attachmentFeeBasis: 'profile' } }));

  it('refuses a financial framework the ledger does not know', () =>
    given()
      .when({ ...configure, framework: 'troubled-families-2011' })
      .thenRejected('UnknownFramework'));

  it('sets up a council under Supporting Families 2022–25, the second framework', () =>
    given()
      .when({ ...configure, framework: 'supporting-families-2022' })
      .then({ type: 'ProgrammeConfigured', data: { councilName: configure.councilName, framework: 'supporting-families-2022', allocation: configure.allocation, attachmentFeeBasis: 'actual' } }));

  it('refuses to change the framework once families are attached under it', () =>
    given(configured, placeTaken('family-1'))
      .when({ ...configure, framework: 'supporting-families-2022' })
      .thenRejected('FrameworkInUse'));

  it('refuses an allocation smaller than the number of families already attached', () =>
    given(configured, placeTaken('family-1'), placeTaken('family-2'))
      .when({ ...configure, allocation: 1 })
      .thenRejected('AllocationBelowAttachments'));

  it('accepts an allocation equal to the number of families already attached', () =>
    given(configured, placeTaken('family-1'), placeTaken('family-2'))
      .when({ ...configure, allocation: 2 })
      .then({ type: 'ProgrammeConfigured', data: { ...configured.data, allocation: 2 } }));
});

describe('programme: claim windows', () => {
  it('defines a claim window with its expected payment date', () =>
    given(configured)
      .when(defineJuly2016Window)
      .then({ type: 'ClaimWindowDefined', data: { windowId: '2016-07', opensOn: '2016-07-01', closesOn: '2016-07-31', expectedPaymentOn: '2016-09-30' } }));

  it('refuses a window date that is not a calendar date', () =>
    given(configured)
      .when({ ...defineJuly2016Window, closesOn: '2016-07-32' })
      .thenRejected('InvalidDate'));

  it('refuses a window id that is already defined', () =>
    given(configured, july2016Window)
      .when({ ...defineJuly2016Window, opensOn: '2016-08-01' })
      .thenRejected('ClaimWindowExists', 'duplicate'));

  it('refuses a window that closes before it opens', () =>
    given(configured)
      .when({ ...defineJuly2016Window, closesOn: '2016-06-30' })
      .thenRejected('EndBeforeStart'));

  it('refuses a window whose payment is expected before it closes', () =>
    given(configured)
      .when({ ...defineJuly2016Window, expectedPaymentOn: '2016-07-30' })
      .thenRejected('PaymentBeforeClose'));
});

describe("programme: places in the council's allocation", () => {
  it('gives an attached family a place', () => given(configured).when(takePlace('family-1')).then(placeTaken('family-1')));

  it('records nothing when a family that already holds a place attaches again', () => given(configuredWith(1), placeTaken('family-1')).when(takePlace('family-1')).thenNothing());

  it('refuses a place before the programme has been set up', () => given().when(takePlace('family-1')).thenRejected('ProgrammeNotConfigured'));

  it('refuses a place once every place of the allocation is taken', () =>
    given(configuredWith(2), placeTaken('family-1'), placeTaken('family-2')).when(takePlace('family-3')).thenRejected('AllocationExhausted'));

  it('releases the place of a family whose attachment was refused, freeing it for another family', () =>
    given(configuredWith(1), placeTaken('family-1'))
      .when({ type: 'ReleaseAllocationPlace', familyId: 'family-1', familyAttached: false })
      .then({ type: 'AllocationPlaceReleased', data: { familyId: 'family-1' } }));

  it('gives a released place to the next family', () =>
    given(configuredWith(1), placeTaken('family-1'), { type: 'AllocationPlaceReleased', data: { familyId: 'family-1' } })
      .when(takePlace('family-2'))
      .then(placeTaken('family-2')));

  it('keeps the place of a family its own stream records attached', () =>
    given(configuredWith(1), placeTaken('family-1')).when({ type: 'ReleaseAllocationPlace', familyId: 'family-1', familyAttached: true }).thenRejected('FamilyAttached'));

  it('records nothing when releasing a place the family does not hold', () =>
    given(configuredWith(1)).when({ type: 'ReleaseAllocationPlace', familyId: 'family-1', familyAttached: false }).thenNothing());
});

describe('programme: attachment fees received', () => {
  const receipt = { type: 'RecordAttachmentFeeReceipt', receivedOn: '2016-10-01', amountPence: 6_000_000, financialYear: '2016/17', recordedOn: '2026-12-05' } as const satisfies ProgrammeCommand;
  const received: ProgrammeEvent = { type: 'AttachmentFeeReceived', data: { receivedOn: '2016-10-01', amountPence: 6_000_000, financialYear: '2016/17' } };

  it('records a receipt dated years before the day it is recorded', () => given(configured).when(receipt).then(received));

  it('refuses a receipt dated after the day it is recorded', () =>
    given(configured)
      .when({ ...receipt, receivedOn: '2026-12-06' })
      .thenRejected('BusinessDateInFuture'));

  it('refuses the same year, date and amount again unless confirmed as a second receipt', () => given(configured, received).when(receipt).thenRejected('PossibleDuplicateReceipt', 'duplicate'));

  it('records a confirmed second receipt of the same year, date and amount', () =>
    given(configured, received)
      .when({ ...receipt, allowDuplicate: true })
      .then(received));

  it('records a receipt of another amount on the same day', () =>
    given(configured, received)
      .when({ ...receipt, amountPence: 1_000 })
      .then({ type: 'AttachmentFeeReceived', data: { ...received.data, amountPence: 1_000 } } as ProgrammeEvent));
});

// Fixtures: East Sussex, allocation 3,570 families over five years.

const configure = { type: 'ConfigureProgramme', councilName: 'East Sussex', framework: 'troubled-families-2015', allocation: 3570 } as const satisfies ProgrammeCommand;

const configured = {
  type: 'ProgrammeConfigured',
  data: { councilName: 'East Sussex', framework: 'troubled-families-2015', allocation: 3570, attachmentFeeBasis: 'actual' },
} as const satisfies ProgrammeEvent;

function configuredWith(allocation: number): ProgrammeEvent {
  return { type: 'ProgrammeConfigured', data: { ...configured.data, allocation } };
}

const defineJuly2016Window = {
  type: 'DefineClaimWindow',
  windowId: '2016-07',
  opensOn: '2016-07-01',
  closesOn: '2016-07-31',
  expectedPaymentOn: '2016-09-30',
} as const satisfies ProgrammeCommand;

const july2016Window: ProgrammeEvent = {
  type: 'ClaimWindowDefined',
  data: { windowId: '2016-07', opensOn: '2016-07-01', closesOn: '2016-07-31', expectedPaymentOn: '2016-09-30' },
};

function takePlace(familyId: string): ProgrammeCommand {
  return { type: 'TakeAllocationPlace', familyId, attachedOn: '2016-05-03' };
}

function placeTaken(familyId: string): ProgrammeEvent {
  return { type: 'AllocationPlaceTaken', data: { familyId, attachedOn: '2016-05-03' } };
}
