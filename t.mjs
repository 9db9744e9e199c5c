import { PGlite } from '@electric-sql/pglite';
import { cpSync } from 'node:fs';
let t=Date.now();
const db = new PGlite(); await db.waitReady;
const blob = await db.dumpDataDir('none'); console.log('dump', Date.now()-t, blob.size);
t=Date.now(); const d2 = new PGlite({loadDataDir: blob}); await d2.waitReady; console.log('load mem', Date.now()-t);
t=Date.now(); cpSync('/tmp/pgldir','/tmp/pgldir2',{recursive:true}); const d3=new PGlite('/tmp/pgldir2'); await d3.waitReady; console.log('copy+open dir', Date.now()-t);
