import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from '../http/http';
import { Access } from '../auth/access';
import { Metrics } from './metrics';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /**
   * Public, like `/health`: Prometheus scrapes without credentials, and the figures carry no
   * personal data (counts and timings by command type, projection and route pattern). Keep it off
   * the public internet at the reverse proxy, as `/health` (infra/README.md).
   */
  @Access('public')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Commands by type and outcome (`ledger_commands_total`), command latency (`ledger_command_duration_seconds`), version conflicts, projection lag in events and seconds per projection, events applied (rate = catch-up rate), store errors, HTTP request durations by route pattern, and process metrics. No personal data.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    res.status(200).type(this.metrics.registry.contentType).send(text);
  }
}
