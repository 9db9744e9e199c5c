import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CsvList } from '../http/csv-list';
import { isBusinessDate } from '@ledger/domain';
import { LedgerQueries } from '@ledger/projections';
import { QueryContext } from '../families/query-context';
import { ApiError } from '@ledger/application';
import { Access } from '../auth/access';

@ApiTags('claims')
@Controller('api/ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerQueries,
    private readonly context: QueryContext,
  ) {}

  @Access({ 'finance-officer': true, auditor: true, admin: true })
  @Get('balances')
  @ApiOperation({ summary: 'Balances of every ledger account as of a date; they always sum to zero' })
  @ApiQuery({ name: 'asOf', required: false })
  async balances(@Query('asOf') asOfRaw?: string) {
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    return { asOf, accounts: await this.ledger.balances(asOf) };
  }

  @Access({ 'finance-officer': true, auditor: true, admin: true })
  @Get('entries')
  @ApiOperation({ summary: 'Double-entry postings between two dates, each with the event that caused it' })
  @ApiQuery({ name: 'from', required: true })
  @ApiQuery({ name: 'to', required: true })
  @CsvList<{
    entries: { eventId: string; on: string; financialYear: string; description: string; claimId: string | null; familyId: string | null; lines: { account: string; amountPence: number }[] }[];
  }>({
    filename: 'ledger-entries',
    // One row per posting line: the lines of a posting share its event id and sum to zero.
    columns: ['event_id', 'on', 'financial_year', 'description', 'claim_id', 'family_id', 'account', 'amount_pence'],
    rows: ({ entries }) => entries.flatMap((e) => e.lines.map((l) => [e.eventId, e.on, e.financialYear, e.description, e.claimId, e.familyId, l.account, l.amountPence])),
  })
  async entries(@Query('from') from?: string, @Query('to') to?: string) {
    const problems = [
      ...(from !== undefined && isBusinessDate(from) ? [] : [{ field: 'from', message: 'must be a calendar date YYYY-MM-DD' }]),
      ...(to !== undefined && isBusinessDate(to) ? [] : [{ field: 'to', message: 'must be a calendar date YYYY-MM-DD' }]),
    ];
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    await this.context.settle();
    return { from, to, entries: await this.ledger.entries(from as string, to as string) };
  }
}
