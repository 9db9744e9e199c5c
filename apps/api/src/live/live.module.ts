import { Module } from '@nestjs/common';
import { LiveCheckpoints } from './live-checkpoints';
import { LiveController } from './live.controller';

/** `/api/live`: the projections' checkpoints as server-sent events, for screens that follow them. */
@Module({
  controllers: [LiveController],
  providers: [LiveCheckpoints],
})
export class LiveModule {}
