import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore, STORE_DESCRIPTION, type StoreDescription } from '@ledger/event-store';
import { Access } from '../auth/access';

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
  @ApiServiceUnavailableResponse({ description: 'The event store cannot be reached' })
  async ready(): Promise<{ status: 'ready'; store: { kind: StoreDescription['kind'] } }> {
    try {
      await this.eventStore.ping();
    } catch (error) {
      throw new HttpException(
        { statusCode: 503, error: 'Service Unavailable', message: 'the event store is unavailable', reason: 'StoreUnavailable' },
        HttpStatus.SERVICE_UNAVAILABLE,
        { cause: error },
      );
    }
    return { status: 'ready', store: { kind: this.store.kind } };
  }
}
