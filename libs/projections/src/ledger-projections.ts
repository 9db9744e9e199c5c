import type { OpenedStores } from '@ledger/event-store';
import { FamilyReadModelsProjection } from './family-read-models.projection';
import { LedgerProjection } from './ledger.projection';
import { ClaimsProjection } from './claims.projection';
import { UsersProjection } from './users.projection';
import { ProjectionRunner, type RunnerOptions } from './projection-runner';
import { reportingSchemaFor } from './reporting-views';

/** Every projection the ledger runs, in the order the runner applies them. */
export function ledgerProjections() {
  return [new FamilyReadModelsProjection(), new LedgerProjection(), new ClaimsProjection(), new UsersProjection()];
}

/**
 * The one way the api, the projector and the cli build the runner of the ledger's projections:
 * over the opened stores and into their read-model schema (`read`, or `<schema>_read` beside an
 * event store schema of its own), so every process writes and reads the same tables.
 */
export function ledgerProjectionRunner(stores: Pick<OpenedStores, 'eventStore' | 'sql' | 'readModelSchema'>, options: Omit<RunnerOptions, 'schema'> = {}): ProjectionRunner {
  // The BI views beside the read models (`reporting`, or `<schema>_reporting`), remade by whichever process rebuilds.
  return new ProjectionRunner(stores.eventStore, stores.sql, ledgerProjections(), {
    reportingSchema: reportingSchemaFor(stores.readModelSchema ?? 'read'),
    ...options,
    schema: stores.readModelSchema,
  });
}
