// Auditing a disc (docs/auditing.md), through the real agent and controller on virtual media
// written by real xorriso: a day stored with read-back verify has a manifest, `cedar-store audit`
// reads the whole disc back and passes; one flipped byte in the image fails it, naming the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { nightFiles, textOf } from '../support/e2e/nightly-data.js';
import { flipByteOf } from '../support/iso-inspector.js';

const DEVICE = 'burner-1/dvd0';
const WEDNESDAY = '2026-11-25';
const DAMAGED = '2026/11/25/docs/report.txt';

let stack: E2eStack;
let files = 0;

beforeAll(async () => {
  stack = await startE2eStack({ policy: { checkData: true } });
  await stack.stage(WEDNESDAY, { ...nightFiles(WEDNESDAY), 'docs/report.txt': textOf('report', 20_000) });
  const store = await stack.cliRun(['store', '--today', WEDNESDAY]);
  expect(store.code, store.stderr).toBe(0);
  files = store.run.manifest?.files ?? 0;
  expect(files).toBeGreaterThan(1);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** `cedar-store media`: the disc's line naming its number and last audit, and the JSON answer's. */
async function mediaAudit(): Promise<{ line: string | undefined; json: unknown }> {
  const table = await stack.cli(['media']);
  expect(table.code, table.stderr).toBe(0);
  const json = await stack.cli(['media', '--json']);
  expect(json.code, json.stderr).toBe(0);
  const [disc] = (JSON.parse(json.stdout) as { discs: Array<{ id?: number; lastAudit?: unknown }> }).discs;
  return {
    line: table.stdout.split('\n').find((line) => line.startsWith('  disc ')),
    json: { id: disc?.id, lastAudit: disc?.lastAudit },
  };
}

describe('cedar-store audit', () => {
  it('lists the stored disc as never audited', async () => {
    expect(await mediaAudit()).toEqual({
      line: '  disc 1: never audited (cedar-store audit)',
      json: { id: 1, lastAudit: null },
    });
  });

  it('passes a disc whose every file reads back as its manifest recorded it', async () => {
    const audit = await stack.cliRun(['audit', '--device', DEVICE]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.run.status).toBe('succeeded');
    expect(audit.run.audit).toMatchObject({
      disc: { id: 1 },
      files,
      ok: true,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      problems: [],
    });
    expect(await mediaAudit()).toEqual({
      line: expect.stringMatching(/^ {2}disc 1: last audited .*, passed$/),
      json: { id: 1, lastAudit: { at: expect.any(String), ok: true, problems: 0, runId: audit.run.id } },
    });
  });

  it('fails, exit 1, naming the file whose byte was flipped in the image, and says what to do', async () => {
    await flipByteOf(stack.image(DEVICE), DAMAGED);
    const audit = await stack.cliRun(['audit', '--device', DEVICE]);
    expect(audit.code).toBe(1);
    expect(audit.run.error?.code).toBe('VERIFY_FAILED');
    expect(audit.stderr).toContain(`1 file(s) differing from the manifest: ${DAMAGED}`);
    expect(audit.stderr).toContain('Re-burn those days from a still-good copy');
    expect(audit.run.audit).toMatchObject({
      ok: false,
      counts: { differing: 1, missing: 0, extra: 0, unreadable: 0 },
      problems: [{ kind: 'differing', path: DAMAGED }],
    });
    expect(await mediaAudit()).toEqual({
      line: expect.stringMatching(
        /^ {2}disc 1: last audited .*, FAILED: 1 problem \(cedar-store runs \S+ names them\)$/,
      ),
      json: { id: 1, lastAudit: { at: expect.any(String), ok: false, problems: 1, runId: audit.run.id } },
    });
  });
});
