import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';

describe('initialize', () => {
  it('labels a rewritable disc and records it as a new disc in the catalog', async () => {
    const h = createHarness();
    h.drive.loadDisc('SOMETHING OLD', { 'old/file': 'x' });
    const run = await h.run('initialize');

    expect(run.status).toBe('succeeded');
    expect(run.image).toEqual({ label: 'CEDAR BACKUP 26-NOV-2026' });
    expect(h.drive.sessionLabels()).toEqual(['CEDAR BACKUP 26-NOV-2026']);
    expect(h.discText()).toEqual({ 'CedarBackup/': '' });
    const status = await h.drive.status();
    expect(status).toMatchObject({ label: 'CEDAR BACKUP 26-NOV-2026', sessions: 1 });
    const [disc] = await h.catalog.list();
    expect(disc).toMatchObject({ label: 'CEDAR BACKUP 26-NOV-2026', sessions: [{ days: [], newDisc: true }] });
  });

  it('refuses write-once media and writes nothing', async () => {
    const h = createHarness({ mediaType: 'cdr-80' });
    const run = await h.run('initialize');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('MEDIA_NOT_REWRITABLE');
    expect(run.error?.message).toMatch(/rewritable media only.*cdr-80/);
    expect(h.drive.operations).toEqual(['status']);
  });

  it('refuses a mounted device', async () => {
    const h = createHarness();
    h.drive.mounted = true;
    expect((await h.run('initialize')).error?.code).toBe('DEVICE_MOUNTED');
    expect(h.drive.operations).toEqual(['status']);
  });
});
