import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { OutcomeQueries } from '@ledger/projections';
import { Access } from '../auth/access';
import { COUNCIL_ID, claimedFamilies, ApiError } from '@ledger/application';
import { QueryContext } from './query-context';

const BANDS = ['6-to-12-months', 'more-than-12-months'] as const;

/** Issue 20.6: programme managers' work lists. */
@ApiTags('families: queries')
@Controller('api/work-lists')
export class WorkListsController {
  constructor(
    private readonly context: QueryContext,
    private readonly outcomes: OutcomeQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  @Access({ 'programme-manager': true })
  @Get('no-result')
  @ApiOperation({
    summary: 'Families attached more than 6 and 12 months with no result, with the problems still unmet',
    description:
      'DOMAIN.md 4.3: open families attached at least 6 months before asOf (default today) with no result at asOf and not claimed, longest attached first; band `6-to-12-months` or `more-than-12-months`; `problemsUnmet` are the problems in scope not met at asOf. Counts per band in `counts`.',
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2018-03-31' })
  @ApiQuery({ name: 'band', required: false, enum: BANDS, description: 'Only the families in this band' })
  async noResult(@Query('asOf') asOfRaw?: string, @Query('band') band?: string) {
    if (band !== undefined && !(BANDS as readonly string[]).includes(band)) throw ApiError.badRequest('invalid query: band', [{ field: 'band', message: `must be one of ${BANDS.join(', ')}` }]);
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    const all = await this.outcomes.withoutResult(asOf, await claimedFamilies(this.store, this.councilId));
    const counts = { '6-to-12-months': 0, 'more-than-12-months': 0 };
    for (const f of all) counts[f.band] += 1;
    return { asOf, counts, families: band === undefined ? all : all.filter((f) => f.band === band) };
  }
}
