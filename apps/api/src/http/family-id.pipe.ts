import { ParseUUIDPipe } from '@nestjs/common';
import { ApiError } from '@ledger/application';

/** A family id in a path: anything that is not a UUID names no family (404, like an unknown one). */
export const familyIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' }) });
