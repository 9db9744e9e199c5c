import { Module } from '@nestjs/common';
import { OutcomePlanCommandHandler, ProgrammeCommandHandler } from '@ledger/application';
import { ProgrammeController } from './programme.controller';

/** The council's programme set-up: framework, allocation, fee basis, claim windows and the Outcome Plan's versions. */
@Module({
  controllers: [ProgrammeController],
  providers: [ProgrammeCommandHandler, OutcomePlanCommandHandler],
})
export class ProgrammeModule {}
