import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore, STORE_DESCRIPTION, type StoreDescription } from '@ledger/event-store';
import { Access } from '../auth/access';
import { storeFault } from '../http/api-exception.filter';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(STORE_DESCRIPTION) private readonly store: StoreDescription,
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
  @ApiOperation({ summary: 'Readiness: the event store answers' })
  @ApiOkResponse({ schema: { example: { status: 'ready', store: { kind: 'embedded' } } } })
  @ApiServiceUnavailableResponse({ description: 'The event store cannot be reached (reason StoreUnavailable), its disk is nearly full (InsufficientStorage) or its data is damaged (StoreCorrupted)' })
  async ready(): Promise<{ status: 'ready'; store: { kind: StoreDescription['kind'] } }> {
    try {
      await this.eventStore.ping();
    } catch (error) {
      const fault = storeFault(error);
      // Not ready either way; a full disk or damaged data says what to do (issue 15.4, 15.5).
      // (No cause: the error filter would read a cause as plain unavailability.)
      if (fault) throw new HttpException({ statusCode: 503, error: 'Service Unavailable', message: fault.message, reason: fault.reason }, HttpStatus.SERVICE_UNAVAILABLE);
      throw new HttpException(
        { statusCode: 503, error: 'Service Unavailable', message: 'the event store is unavailable', reason: 'StoreUnavailable' },
        HttpStatus.SERVICE_UNAVAILABLE,
        { cause: error },
      );
    }
    return { status: 'ready', store: { kind: this.store.kind } };
  }
}
