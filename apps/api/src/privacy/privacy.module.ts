import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { DataSubjectRequestsController } from './data-subject-requests.controller';
import { OnsTransfersController } from './ons-transfers';
import { PartnersController } from './partners';
import { PrivacyNoticeController } from './privacy-notice.controller';
import { PrivacyController } from './privacy.controller';
import { RetentionController } from './retention.controller';

/** Data protection: erasure, retention and legal holds, subject access and other requests, ONS transfers, partners and their agreements, the privacy notice. */
@Module({
  imports: [ImportsModule],
  controllers: [PrivacyController, RetentionController, OnsTransfersController, DataSubjectRequestsController, PrivacyNoticeController, PartnersController],
})
export class PrivacyModule {}
