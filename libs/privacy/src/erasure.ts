import { streams } from '@ledger/domain';
import { type EventStore, uuidV5 } from '@ledger/event-store';
import type { KeyVault } from './key-vault';
import { familyKeyId } from './personal-data-cipher';

const ERASURE_NAMESPACE = '5b0d8f3e-2c47-4a19-9e6b-7d1f0a3c8e25';

export interface ErasureRequest {
  memberId: string;
  familyId: string;
  reason: string;
  /** Who asked (a user id, or `retention-schedule`) and when (an instant from the edge's clock). */
  by: { userId: string; role: string };
  at: string;
}

/**
 * Erasure by crypto-shredding (DOMAIN.md 6): the person's key is destroyed, so every sealed copy
 * of their personal fields (in the log, in read models, in backups) becomes unreadable and reads
 * show a placeholder; the events themselves and every count, amount and date stay, so claims and
 * the ledger are unchanged. Each erasure is recorded on the person's own `personalData-<memberId>`
 * stream (ids and the reason only), once: a retry records nothing new.
 */
/**
 * Something else holding a person's personal data sealed under keys of its own (rows of partner
 * files held for review or kept for candidate families, issue 21): the keys of what is about the
 * person, found while the person's own key still opens their record, destroyed with it.
 */
export interface ErasureReach {
  keysAbout(request: ErasureRequest): Promise<string[]>;
}

export class Erasure {
  constructor(
    private readonly vault: KeyVault,
    private readonly store: EventStore,
    private readonly reaches: readonly ErasureReach[] = [],
  ) {}

  async erase(request: ErasureRequest): Promise<'erased' | 'already-erased'> {
    // First, while the person's record still opens: a crash in between is mended by a retry.
    for (const reach of this.reaches) for (const keyId of await reach.keysAbout(request)) await this.vault.erase(keyId, request.reason);
    const outcome = await this.vault.erase(request.memberId, request.reason);
    await this.eraseFamilyKeyAfterLastMember(request.familyId, request.reason);
    const streamId = `personalData-${request.memberId}`;
    const eventId = uuidV5(`erasure\n${request.memberId}`, ERASURE_NAMESPACE);
    await this.store.append(
      streamId,
      [
        {
          type: 'PersonalDataErased',
          data: { memberId: request.memberId, familyId: request.familyId, reason: request.reason },
          metadata: {
            eventId,
            commandId: eventId,
            correlationId: eventId,
            causationId: eventId,
            actor: request.by,
            recordedAt: request.at,
            schemaVersion: 1,
          },
        },
      ],
      { expectedVersion: 'any' },
    );
    return outcome;
  }

  /**
   * DOMAIN.md 6: erasing a family's last member destroys the family's key too, so the free text
   * sealed with it (override and closure reasons, indicators, audit notes, legal bases) goes with
   * them. Checked again on a retried erasure, so a crash between the two keys is mended by a retry.
   */
  private async eraseFamilyKeyAfterLastMember(familyId: string, reason: string): Promise<void> {
    const members = await membersOf(this.store, familyId);
    if (members.size === 0) return;
    for (const memberId of members) if ((await this.vault.status(memberId)) !== 'erased') return;
    await this.vault.erase(familyKeyId(familyId), reason);
  }
}

async function membersOf(store: EventStore, familyId: string): Promise<Set<string>> {
  const members = new Set<string>();
  const read = await store.readStream(streams.family(familyId));
  for (const event of read.events) {
    if (event.type === 'FamilyIdentified') for (const m of (event.data.members ?? []) as { memberId: string }[]) members.add(m.memberId);
    if (event.type === 'FamilyMemberAdded') members.add((event.data.member as { memberId: string }).memberId);
  }
  return members;
}
