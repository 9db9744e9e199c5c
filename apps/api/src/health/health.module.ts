import { Module } from '@nestjs/common';
import { CommandMetrics, HttpMetricsMiddleware, Metrics } from '../observability/metrics';
import { MetricsController } from '../observability/metrics.controller';
import { HealthController } from './health.controller';

/** `/health` (live and ready) and `/metrics` (Prometheus). Exports `Metrics` (the request-metrics middleware counts into it). */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [Metrics, CommandMetrics, HttpMetricsMiddleware],
  exports: [Metrics],
})
export class HealthModule {}
