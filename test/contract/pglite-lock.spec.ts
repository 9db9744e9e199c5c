import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirectoryLockedError, PgliteSqlClient } from '@ledger/event-store';
import { freshPgliteDataDir } from '../support/stores';

describe('the embedded data directory lock', () => {
  it('refuses a second opener while the first holds the directory, and frees it on close', async () => {
    const dir = freshPgliteDataDir();
    try {
      const first = await PgliteSqlClient.open(dir.dataDir);
      await expect(PgliteSqlClient.open(dir.dataDir)).rejects.toBeInstanceOf(DataDirectoryLockedError);
      await first.close();
      const again = await PgliteSqlClient.open(dir.dataDir);
      await again.close();
    } finally {
      dir.remove();
    }
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = freshPgliteDataDir();
    try {
      // pid 2^22+1 is above Linux's default pid_max range used here, so no live process has it.
      writeFileSync(join(dir.dataDir, 'ledger.lock'), String(4_194_305));
      const client = await PgliteSqlClient.open(dir.dataDir);
      await client.close();
    } finally {
      dir.remove();
    }
  });
});
