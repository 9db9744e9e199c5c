import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { LedgerConfig } from '@ledger/config';
import { EVENT_STORE, type EventStore, LEDGER_CONFIG, STORE_DESCRIPTION, type StoreDescription } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionLag, type ProjectionRunner } from '@ledger/projections';
import { Access } from '../auth/access';
import { Metrics } from '../observability/metrics';

interface ProjectionReadiness {
  name: string;
  behindEvents: number;
}
import { storeFault } from '../http/api-exception.filter';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(STORE_DESCRIPTION) private readonly store: StoreDescription,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly metrics: Metrics,
  ) {}

  @Access('public')
  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Access('public')
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the event store answers and no projection is more than LEDGER_READY_MAX_LAG_EVENTS events behind the log' })
  @ApiOkResponse({ schema: { example: { status: 'ready', store: { kind: 'embedded' }, projections: [{ name: 'family-read-models', behindEvents: 0 }], maxLagEvents: 10000 } } })
  @ApiServiceUnavailableResponse({ description: 'The event store cannot be reached (`StoreUnavailable`), or a projection is too far behind (`ProjectionsBehind`)' })
  async ready(): Promise<{ status: 'ready'; store: { kind: StoreDescription['kind'] }; projections: ProjectionReadiness[]; maxLagEvents: number }> {
    let lags: ProjectionLag[];
    try {
      await this.eventStore.ping();
      lags = await this.runner.lag();
    } catch (error) {
      this.metrics.storeErrors.inc({ where: 'readiness' });
      const fault = storeFault(error);
      // Not ready either way; a full disk or damaged data says what to do (issue 15.4, 15.5).
      // (No cause: the error filter would read a cause as plain unavailability.)
      if (fault) throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: fault.message, reason: fault.reason }, HttpStatus.SERVICE_UNAVAILABLE);
      throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: 'the event store is unavailable', reason: 'StoreUnavailable' }, HttpStatus.SERVICE_UNAVAILABLE, {
        cause: error,
      });
    }
    const maxLagEvents = this.config.readyMaxLagEvents;
    const projections = lags.map((l) => ({ name: l.name, behindEvents: l.behindEvents }));
    const behind = projections.filter((p) => p.behindEvents > maxLagEvents);
    if (behind.length > 0) {
      throw new HttpException(
        {
          statusCode: 503,
          error: 'Service Unavailable',
          message: `projections more than ${maxLagEvents} events behind the log: ${behind.map((p) => `${p.name} (${p.behindEvents})`).join(', ')}`,
          reason: 'ProjectionsBehind',
          details: behind.map((p) => ({ field: p.name, message: `${p.behindEvents} events behind` })),
        },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return { status: 'ready', store: { kind: this.store.kind }, projections, maxLagEvents };
  }
}
