/**
 * The audit action with the in-memory drive and the real SQLite catalogs: the disc in the drive
 * is read whole, found in the catalog by its label and compared with its manifest.
 */
import { describe, expect, it } from 'vitest';
import { createCatalogHarness } from '../testing/catalog-harness.js';

const DAY1 = '2026-11-25';
const DAY2 = '2026-11-26';

function setup() {
  const h = createCatalogHarness(DAY1);
  h.withAgentManifests();
  return h;
}

const FILES1 = { 'a.txt': 'alpha', 'docs/b.conf': 'beta' };
const FILES2 = { 'x.txt': 'xray' };

describe('audit', () => {
  it('passes a disc whose every file matches its manifest, and keeps the verdict', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    await h.store(DAY2, FILES2);
    const run = await h.run('audit');

    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.audit).toMatchObject({
      disc: { id: 1 },
      files: 3,
      ok: true,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      md5: 'absent',
      problems: [],
    });
    expect(await h.audits.lastAudit(1)).toMatchObject({ runId: run.id, ok: true, files: 3 });
  });

  it('fails VERIFY_FAILED naming a file whose bytes changed, and says what to do', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.drive.corrupt('2026/11/25/docs/b.conf');
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.error?.message).toContain('1 file(s) differing from the manifest: 2026/11/25/docs/b.conf');
    expect(run.error?.message).toMatch(/Re-burn those days from a still-good copy.*or replace the disc/);
    expect(run.audit).toMatchObject({
      ok: false,
      counts: { differing: 1, missing: 0 },
      problems: [{ kind: 'differing', path: '2026/11/25/docs/b.conf' }],
    });
    expect(await h.audits.lastAudit(1)).toMatchObject({ ok: false, counts: { differing: 1 } });
  });

  it('refuses a disc the catalog does not know: nothing could be checked, nothing kept', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.drive.loadDisc('CEDAR-ELSEWHERE', { '2026/11/25/a.txt': 'alpha' });
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('WRONG_DISC');
    expect(run.error?.message).toContain('no disc labelled "CEDAR-ELSEWHERE"');
    expect(run.error?.message).toContain('nothing could be checked');
    expect(await h.audits.lastAudit(1)).toBeNull();
  });

  it('refuses a disc without a manifest: nothing could be checked', async () => {
    const h = setup();
    await h.store(DAY1, FILES1, false);
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_REQUEST');
    expect(run.error?.message).toMatch(/no manifest of disc 1 .*nothing could be checked/);
    expect(run.audit).toBeUndefined();
  });
});
