import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { isBusinessDate } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { FamilyQueries } from '@ledger/projections';
import { Access } from '../auth/access';
import { QueryContext } from '../families/query-context';
import { RecordedOnDemand, type RecordingOnDemand } from '../http/recorded';
import { appendPrivacyRecord, readRecords, registerStream, ApiError } from '@ledger/application';

/** The terms of the council's data agreement with the ONS, recorded with every transfer (DOMAIN.md 6). */
export const ONS_AGREEMENT_TERMS = [
  'for research and evaluation only',
  'no re-identification of any person',
  'the linked data is never returned to the council',
  'destroyed after use, and its destruction confirmed',
] as const;

export interface OnsTransfer {
  transferId: string;
  agreementReference: string;
  terms: string[];
  from: string;
  to: string;
  transferredOn: string;
  /** The instant it was recorded: an opt-out recorded after it came too late for this file. */
  transferredAt: string;
  transferredBy: string;
  people: number;
  families: number;
  fileSha256: string;
  optOutsApplied: number;
  memberIds: string[];
  destruction: { confirmedOn: string; reference: string; recordedBy: string } | null;
}

/** Every ONS transfer recorded, oldest first (`onsTransfer-<transferId>` streams). */
export async function onsTransfers(store: EventStore): Promise<OnsTransfer[]> {
  const transfers = new Map<string, OnsTransfer>();
  for (const e of await readRecords(store, 'onsTransfer')) {
    const transferId = String(e.data.transferId);
    if (e.type === 'OnsTransferRecorded' && !transfers.has(transferId)) {
      const d = e.data as Record<string, unknown>;
      transfers.set(transferId, {
        transferId,
        agreementReference: String(d.agreementReference),
        terms: (d.terms as string[]) ?? [],
        from: String(d.from),
        to: String(d.to),
        transferredOn: String(d.transferredOn),
        transferredAt: e.metadata.recordedAt,
        transferredBy: e.metadata.actor.userId,
        people: Number(d.people),
        families: Number(d.families),
        fileSha256: String(d.fileSha256),
        optOutsApplied: Number(d.optOutsApplied),
        memberIds: (d.memberIds as string[]) ?? [],
        destruction: null,
      });
    } else if (e.type === 'OnsTransferDestructionConfirmed') {
      const t = transfers.get(transferId);
      if (t && t.destruction === null) t.destruction = { confirmedOn: String(e.data.confirmedOn), reference: String(e.data.reference), recordedBy: e.metadata.actor.userId };
    }
  }
  return [...transfers.values()];
}

export class DestructionDto {
  @ApiProperty({ example: '2020-09-30', description: 'The day the evaluator confirmed the file destroyed' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'confirmedOn must be a calendar date YYYY-MM-DD' })
  confirmedOn!: string;

  @ApiProperty({ example: 'ONS-DC-2020-113', description: "The evaluator's confirmation: a reference of letters, digits and / _ . - (at most 60); no personal data" })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,59}$/, { message: 'reference must be a code of letters, digits and / _ . - (at most 60 characters)' })
  reference!: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const shown = ({ memberIds, ...t }: OnsTransfer) => t;

/**
 * ONS evaluation transfers as records (DOMAIN.md 6, issue 23.4): each export under the data
 * agreement, the evaluator's confirmation that a file was destroyed, and the people who opted out
 * of evaluation after a transfer that included them (to be notified to the evaluator).
 */
@ApiTags('privacy and evaluation')
@Controller('api')
export class OnsTransfersController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly families: FamilyQueries,
    private readonly context: QueryContext,
  ) {}

  @Access({ admin: true, analyst: true })
  @Get('ons-transfers')
  @ApiOperation({ summary: 'Every ONS evaluation transfer: agreement, terms, date, people, file hash, opt-outs applied, destruction' })
  async list() {
    return { transfers: (await onsTransfers(this.store)).map(shown) };
  }

  @Access({ admin: true, analyst: true })
  @Post('ons-transfers/:transferId/destruction')
  @HttpCode(200)
  @ApiOperation({ summary: "Record the evaluator's confirmation that a transferred file was destroyed", description: 'Once per transfer: a second confirmation answers the first.' })
  async destruction(@Param('transferId') transferId: string, @Body() body: DestructionDto, @RecordedOnDemand() recordingOf: RecordingOnDemand) {
    const transfer = UUID.test(transferId) ? (await onsTransfers(this.store)).find((t) => t.transferId === transferId) : undefined;
    if (!transfer) throw new ApiError(404, 'no ONS transfer with this id', { reason: 'TransferNotFound' });
    const recording = recordingOf();
    const problems = [];
    if (!isBusinessDate(body.confirmedOn)) problems.push({ field: 'confirmedOn', message: 'must be a calendar date YYYY-MM-DD' });
    else if (body.confirmedOn > recording.recordedOn) problems.push({ field: 'confirmedOn', message: `must not be after today (${recording.recordedOn})` });
    else if (body.confirmedOn < transfer.transferredOn) problems.push({ field: 'confirmedOn', message: `must not be before the transfer (${transfer.transferredOn})` });
    if (problems.length > 0) throw ApiError.badRequest('invalid body: confirmedOn', problems);
    if (transfer.destruction !== null) return shown(transfer);
    await appendPrivacyRecord(this.store, registerStream('onsTransfer'), 'OnsTransferDestructionConfirmed', { transferId, confirmedOn: body.confirmedOn, reference: body.reference }, recording);
    return shown((await onsTransfers(this.store)).find((t) => t.transferId === transferId) as OnsTransfer);
  }

  @Access({ admin: true, analyst: true })
  @Get('ons-transfers/opt-outs')
  @ApiOperation({
    summary: 'People who opted out of evaluation after a transfer that included them: to notify to the evaluator',
    description:
      "One row per person and transfer: the person's member id (the file's `member_id`), the transfer, and the date of the opt-out. Only opt-outs still in force (no later consent) are listed.",
  })
  async optOuts() {
    await this.context.settle();
    const transfers = await onsTransfers(this.store);
    const latest = new Map<string, { given: boolean; on: string; recordedAt: string; familyId: string }>();
    for (const c of await this.families.consentRecords('evaluation')) {
      const previous = latest.get(c.memberId);
      if (!previous || c.on >= previous.on) latest.set(c.memberId, c);
    }
    const notifications: { transferId: string; agreementReference: string; transferredOn: string; memberId: string; familyId: string; optedOutOn: string; fileDestroyed: boolean }[] = [];
    for (const t of transfers) {
      for (const memberId of t.memberIds) {
        const c = latest.get(memberId);
        // Everyone in a file had not opted out when it was made: an opt-out in force now came after it.
        if (!c || c.given) continue;
        notifications.push({
          transferId: t.transferId,
          agreementReference: t.agreementReference,
          transferredOn: t.transferredOn,
          memberId,
          familyId: c.familyId,
          optedOutOn: c.on,
          fileDestroyed: t.destruction !== null,
        });
      }
    }
    return { notifications };
  }
}
