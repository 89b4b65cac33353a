// The persistence contract suites against the in-memory adapters the controller's unit
// tests use and the SQLite ones it runs with, in memory and in a WAL file, so the stand-ins
// cannot drift from what production stores.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryAuditCatalog, InMemoryMediaCatalog, InMemoryRunRepository } from '@cedar-store/ports/memory';
import {
  openDatabase,
  SqliteAuditCatalog,
  SqliteMediaCatalog,
  SqliteRunRepository,
  type Database,
} from '../../services/controller/src/persistence/index.js';
import { auditCatalogContract } from './audit-catalog.contract.js';
import { mediaCatalogContract } from './media-catalog.contract.js';
import { runRepositoryContract } from './run-repository.contract.js';

type Opened = { db: Database; cleanup(): Promise<void> };

async function inMemoryDatabase(): Promise<Opened> {
  const db = openDatabase(':memory:');
  return {
    db,
    async cleanup() {
      db.close();
    },
  };
}

async function fileDatabase(): Promise<Opened> {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-persistence-'));
  const db = openDatabase(join(dir, 'controller.db'));
  return {
    db,
    async cleanup() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

runRepositoryContract('in-memory', async () => ({ runs: new InMemoryRunRepository(), cleanup: async () => {} }));
mediaCatalogContract('in-memory', async () => ({ catalog: new InMemoryMediaCatalog(), cleanup: async () => {} }));
auditCatalogContract('in-memory', async () => {
  const media = new InMemoryMediaCatalog();
  return { audits: new InMemoryAuditCatalog(media), media, cleanup: async () => {} };
});

for (const [name, open] of [
  ['sqlite :memory:', inMemoryDatabase],
  ['sqlite file', fileDatabase],
] as const) {
  runRepositoryContract(name, async () => {
    const { db, cleanup } = await open();
    return { runs: new SqliteRunRepository(db), cleanup };
  });
  mediaCatalogContract(name, async () => {
    const { db, cleanup } = await open();
    return { catalog: new SqliteMediaCatalog(db), cleanup };
  });
  auditCatalogContract(name, async () => {
    const { db, cleanup } = await open();
    return { audits: new SqliteAuditCatalog(db), media: new SqliteMediaCatalog(db), cleanup };
  });
}
