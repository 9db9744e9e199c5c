import { Module } from '@nestjs/common';
import { FamiliesController } from './families.controller';
import { FamilyCommandHandler } from './family-commands';
import { FamilyQueriesController, ResultsController } from './family-queries.controller';
import { WorkListsController } from './work-lists.controller';

/** Families: their commands (one handler, on the family stream), reads, results and work lists. */
@Module({
  controllers: [FamiliesController, FamilyQueriesController, ResultsController, WorkListsController],
  providers: [FamilyCommandHandler],
})
export class FamiliesModule {}
