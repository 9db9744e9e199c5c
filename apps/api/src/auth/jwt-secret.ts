import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LedgerConfig } from '@ledger/config';

/**
 * The secret that signs access tokens: LEDGER_JWT_SECRET; or, on the embedded store, a key file
 * generated once in the data directory (readable by this user only); otherwise one per process,
 * with a warning (tokens then do not survive a restart or reach another instance).
 */
export function jwtSecretFor(config: LedgerConfig): string {
  if (config.jwtSecret) return config.jwtSecret;
  if (!config.postgresUrl) {
    const dir = resolve(config.dataDir);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'jwt.key');
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return readFileSync(file, 'utf8').trim();
  }
  new Logger('Auth').warn('LEDGER_JWT_SECRET is not set: tokens are signed with a key made for this process only');
  return randomBytes(48).toString('base64url');
}
