import { Body, Controller, Get, Post, Query, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Rejection } from '@ledger/domain';
import type { CommandOutcome } from '@ledger/event-store';
import { attachmentFeesCsv, attachmentFeesXlsx, reconciliationCsv, reconciliationXlsx } from '@ledger/reporting';
import { QueryContext } from '../families/query-context';
import { BoolField, DateField, IntField, PatternField } from '../http/fields';
import { ETag, versioned } from '../http/etag';
import { Recorded } from '../http/recorded';
import { recordedOrThrow } from '../http/recording';
import { RecordProgrammeCommand, FinanceReports, type Recording } from '@ledger/application';
import { Access, roles } from '../auth/access';

export class AttachmentProfileDto {
  @PatternField(/^\d{4}\/\d{2}$/, '2017/18', 'must be a financial year like 2017/18') financialYear!: string;
  @IntField({ min: 0, max: 1_000_000 }) families!: number;
}

export class AttachmentFeeReceiptDto {
  @DateField({ description: 'Never after the day it is recorded' }) receivedOn!: string;
  @IntField({ min: 1, max: 100_000_000_000 }) amountPence!: number;
  @PatternField(/^\d{4}\/\d{2}$/, '2016/17', 'must be a financial year like 2016/17') financialYear!: string;
  @BoolField({ optional: true, description: 'Confirms a second receipt with the same financial year, date and amount as one already recorded (409 PossibleDuplicateReceipt otherwise)' })
  allowDuplicate?: boolean;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FINANCE = ['finance-officer', 'auditor', 'programme-manager', 'admin'] as const;

/** The finance officer's other reports: attachment fees against allocation, and reconciliation. */
@ApiTags('claims')
@Controller('api')
export class FinanceReportsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly context: QueryContext,
    private readonly reports: FinanceReports,
  ) {}

  @Access({ 'finance-officer': true })
  @Post('attachment-fees/receipts')
  @ApiOperation({ summary: 'Record attachment fees received from central government for a financial year' })
  @ETag()
  async receipt(@Body() body: AttachmentFeeReceiptDto, @Recorded() recording: Recording) {
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(new RecordProgrammeCommand({ type: 'RecordAttachmentFeeReceipt', ...body, recordedOn: recording.recordedOn }, recording));
    const recorded = recordedOrThrow(outcome, 'programme');
    return versioned({ eventId: recorded.events[0]?.eventId ?? null, version: recorded.version }, recorded.version);
  }

  @Access({ 'finance-officer': true })
  @Post('attachment-fees/profile')
  @ApiOperation({ summary: "Set a financial year's attachment profile (families expected), for the profile fee basis" })
  @ETag()
  async profile(@Body() body: AttachmentProfileDto, @Recorded() recording: Recording) {
    const outcome: CommandOutcome<Rejection> = await this.commands.execute(
      new RecordProgrammeCommand({ type: 'SetAttachmentProfile', financialYear: body.financialYear, families: body.families, setOn: recording.recordedOn }, recording),
    );
    const recorded = recordedOrThrow(outcome, 'programme');
    return versioned({ eventId: recorded.events[0]?.eventId ?? null, version: recorded.version }, recorded.version);
  }

  @Access(roles(FINANCE))
  @Get('reports/attachment-fees')
  @ApiOperation({ summary: 'Attachment fees per financial year as of a date: families attached, fees due at that year’s rate, received, against the allocation' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31', description: 'Count attachments and receipts dated on or before this day (default today)' })
  async attachmentFees(@Query('asOf') asOf?: string) {
    return this.reports.attachmentFees(this.context.dates(asOf, undefined));
  }

  @Access(roles(FINANCE))
  @Get('reports/attachment-fees.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Attachment fees as CSV, with a totals row' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31' })
  async attachmentFeesCsv(@Query('asOf') asOfRaw?: string) {
    const report = await this.reports.attachmentFees(this.context.dates(asOfRaw, undefined));
    return new StreamableFile(attachmentFeesCsv(report), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="attachment-fees-${report.asOf}.csv"` });
  }

  @Access(roles(FINANCE))
  @Get('reports/attachment-fees.xlsx')
  @ApiProduces(XLSX)
  @ApiOperation({ summary: 'Attachment fees as XLSX: amounts in pounds, a totals row' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31' })
  async attachmentFeesXlsx(@Query('asOf') asOfRaw?: string) {
    const report = await this.reports.attachmentFees(this.context.dates(asOfRaw, undefined));
    return new StreamableFile(await attachmentFeesXlsx(report), { type: XLSX, disposition: `attachment; filename="attachment-fees-${report.asOf}.xlsx"` });
  }

  @Access(roles(FINANCE))
  @Get('reports/reconciliation')
  @ApiOperation({ summary: 'Claimed, paid and recovered per claim, per claim window and per financial year, as of a date' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31', description: 'Count submissions, payments and recoveries dated on or before this day (default today)' })
  async reconciliation(@Query('asOf') asOf?: string) {
    return this.reports.reconciliation(this.context.dates(asOf, undefined));
  }

  @Access(roles(FINANCE))
  @Get('reports/reconciliation.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The reconciliation as CSV, with totals rows per window, per financial year and overall' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31' })
  async reconciliationCsv(@Query('asOf') asOfRaw?: string) {
    const report = await this.reports.reconciliation(this.context.dates(asOfRaw, undefined));
    return new StreamableFile(reconciliationCsv(report), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="reconciliation-${report.asOf}.csv"` });
  }

  @Access(roles(FINANCE))
  @Get('reports/reconciliation.xlsx')
  @ApiProduces(XLSX)
  @ApiOperation({ summary: 'The reconciliation as XLSX: one sheet per table, amounts in pounds, totals rows' })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-03-31' })
  async reconciliationXlsx(@Query('asOf') asOfRaw?: string) {
    const report = await this.reports.reconciliation(this.context.dates(asOfRaw, undefined));
    return new StreamableFile(await reconciliationXlsx(report), { type: XLSX, disposition: `attachment; filename="reconciliation-${report.asOf}.xlsx"` });
  }
}
