import type { LedgerConfig } from '@ledger/config';
import type { RetentionPeriods } from './retention';

/** The retention periods the configuration sets (README "Configuration"). */
export function retentionPeriods(config: LedgerConfig): RetentionPeriods {
  return { closedYears: config.retentionYears, notAttachedYears: config.retentionNotAttachedYears, inactiveYears: config.retentionInactiveYears };
}
