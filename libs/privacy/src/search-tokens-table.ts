import { quoteIdent } from '@ledger/sql';

/** The person search tokens table (issue 20.1), beside `person_keys`: created with it, a person's rows deleted with their key. */
export function searchTokensTable(schema: string): string {
  return `${quoteIdent(schema)}.person_search_tokens`;
}
