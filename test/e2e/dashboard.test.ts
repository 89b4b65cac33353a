// The dashboard in a real browser (Debian's chromium through playwright-core) against the built
// controller and agent on a virtual DVD+RW: a user signs in with the API token, sees the device,
// starts a store from the page and watches its steps, reads the chosen day and the new-disc
// reason in the CLI's words, finds the disc and a file on the media page, sees the disc's last
// audit there (never, passed, then failed with its problem count), and sees a night too
// large for the disc fail with MEDIA_FULL and its advice. A wrong token is refused; the pages
// carry a strict Content-Security-Policy and log no console error. Screenshots of each view go
// to .ci/out/screenshots (and to docs/images with CEDAR_DASHBOARD_DOC_IMAGES=1).
import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Run } from '@cedar-store/ports';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleProblems, launchChromium, SCREENSHOTS } from '../support/e2e/browser.js';
import { createBurnerWrapper, type BurnerWrapper } from '../support/e2e/burner-wrapper.js';
import { E2E_API_TOKEN, startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { expectedLabel, MIB, nightFiles } from '../support/e2e/nightly-data.js';
import { flipByteOf } from '../support/iso-inspector.js';
import { ROOT } from '../support/processes.js';

const DEVICE = 'burner-1/dvd0';
/** The controller runs in UTC (e2e-stack): its today is the UTC date. */
const TODAY = new Date().toISOString().slice(0, 10);
const TOO_BIG_DAY = '2031-01-15';
const HELD_DAY = '2031-02-04';
/** Generous for a loaded two-core machine; every wait is on something the page shows. */
const SLOW = 60_000;

let stack: E2eStack;
let wrapper: BurnerWrapper;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let storeRunId: string;

async function shot(name: string, on: Page = page): Promise<void> {
  const file = join(SCREENSHOTS, `dashboard-${name}.png`);
  await on.screenshot({ path: file, fullPage: true });
  if (process.env.CEDAR_DASHBOARD_DOC_IMAGES === '1') {
    await mkdir(join(ROOT, 'docs/images'), { recursive: true });
    await copyFile(file, join(ROOT, 'docs/images', `dashboard-${name}.png`));
  }
}

/** What the page keeps: sessionStorage's values, how many localStorage entries, its cookies (run in the page). */
const STORAGE = '[Object.values(sessionStorage), localStorage.length, document.cookie]';

/** Signs in the way a keyboard user does: Tab to the token field, type, Enter. */
async function signIn(on: Page, token: string): Promise<void> {
  await on.getByLabel('API token').waitFor({ timeout: SLOW });
  await on.keyboard.press('Tab');
  await on.keyboard.type(token);
  await on.keyboard.press('Enter');
}

async function view(name: 'Overview' | 'History' | 'Media' | 'Actions'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: SLOW });
}

/** The lines of one summary row (`Days`, `Disc`, …) as the run page shows them. */
async function summaryRow(label: string): Promise<string[]> {
  const row = page.locator(`.summary .row-${label.toLowerCase()} dd p`);
  return row.allInnerTexts();
}

/** The audit line of a disc's card on the media page, and whether it is marked as a failure. */
async function discAudit(label: string): Promise<{ text: string; failed: boolean }> {
  const line = page.locator(`[data-disc="${label}"] .audit`);
  await line.waitFor({ timeout: SLOW });
  return { text: await line.innerText(), failed: (await line.getAttribute('class'))!.split(' ').includes('bad') };
}

/** The newest disc's last audit time as GET /api/v1/media gives it (ISO, UTC). */
async function lastAuditAt(): Promise<string> {
  const answer = await fetch(`${stack.url}/api/v1/media`, { headers: { authorization: `Bearer ${E2E_API_TOKEN}` } });
  const { discs } = (await answer.json()) as { discs: Array<{ lastAudit?: { at: string } | null }> };
  const at = discs[0]?.lastAudit?.at;
  if (!at) throw new Error('the newest disc has no audit');
  return at;
}

/** Polls what a test cannot see on the page (the agent's held write) until it holds. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SLOW;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** POST /api/v1/runs as a script would: the run queued. */
async function submit(body: Record<string, unknown>): Promise<Run> {
  const answer = await fetch(`${stack.url}/api/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(202);
  return (await answer.json()) as Run;
}

beforeAll(async () => {
  // Writes go through a wrapper around the real xorriso that can hold them at their start.
  wrapper = await createBurnerWrapper();
  stack = await startE2eStack({ agentPathPrefix: [wrapper.dir] });
  // The controller serves services/dashboard/dist: build it from the sources under test.
  await promisify(execFile)(process.execPath, [join(ROOT, 'services/dashboard/build.mjs')], { cwd: ROOT });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await context.newPage();
  problems = consoleProblems(page);
}, 240_000);

afterAll(async () => {
  await wrapper?.releaseWrites();
  await browser?.close();
  await stack?.stop();
  await wrapper?.remove();
});

describe('the dashboard in a browser', { timeout: 120_000 }, () => {
  it('refuses a wrong token and keeps nothing of it', async () => {
    const other = await browser.newPage();
    const otherProblems = consoleProblems(other);
    const answer = await other.goto(`${stack.url}/`);
    expect(answer?.status()).toBe(200);
    const headers = answer!.headers();
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(headers['x-content-type-options']).toBe('nosniff');

    await signIn(other, 'not-the-token-0123456789');
    const alert = other.getByRole('alert');
    await alert.waitFor({ timeout: SLOW });
    expect(await alert.innerText()).toContain('The controller refused this token');
    await shot('sign-in-refused', other);
    expect(await other.evaluate(STORAGE)).toEqual([[], 0, '']);
    // The browser logs the refused request itself; nothing else may go wrong.
    expect(otherProblems.filter((problem) => !problem.includes('401'))).toEqual([]);
    await other.close();
  });

  it('signs in and shows the device, idle, with no store yet', async () => {
    await stack.stage(TODAY, nightFiles(TODAY));
    await page.goto(`${stack.url}/`);
    await shot('sign-in');
    await signIn(page, E2E_API_TOKEN);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: SLOW });
    const card = page.locator(`[data-device="${DEVICE}"]`);
    await card.getByText('No store has run on this device yet').waitFor({ timeout: SLOW });
    expect(await card.innerText()).toMatch(/virtual, dvd\+rw; connected, idle/);
    // Nothing stored yet: the banner a user checking in the morning must not miss.
    await page.getByText('No store succeeded in the last 26 hours').waitFor({ timeout: SLOW });
    expect(await page.getByText('Times in UTC').count()).toBe(1);
    // The token is in this tab's sessionStorage only: no cookie, nothing in localStorage or the URL.
    expect(await page.evaluate(STORAGE)).toEqual([[E2E_API_TOKEN], 0, '']);
    expect(page.url()).not.toContain(E2E_API_TOKEN);
  });

  it('starts a store from the page after a confirmation and follows its steps to the end', async () => {
    await view('Actions');
    await page.getByLabel('Action', { exact: true }).selectOption('store');
    await page.getByRole('button', { name: 'Continue…' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.innerText()).toContain(`Start store on ${DEVICE}?`);
    await shot('actions');
    // The confirmation has the focus: Enter starts the run.
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: SLOW });
    storeRunId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    await page.locator('h1 .status', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    const steps = page.locator('.steps li');
    await page.locator('.steps li[data-step="verify"][data-state="finished"]').waitFor({ timeout: SLOW });
    const stepTexts = await steps.allInnerTexts();
    expect(stepTexts.some((text) => /write: finished in /.test(text))).toBe(true);
    expect(stepTexts.some((text) => /verify: finished in /.test(text))).toBe(true);
    expect(await page.locator('.steps li[data-state="failed"]').count()).toBe(0);

    // The decisions in the CLI's words: the same lines `cedar-store runs ID` prints.
    const days = await summaryRow('Days');
    expect(days).toEqual([TODAY, "rule today: today's staging day is staged and not yet stored"]);
    const disc = await summaryRow('Disc');
    expect(disc[0]).toMatch(/^new disc/);
    const cli = await stack.cli(['runs', storeRunId]);
    expect(cli.code, cli.stderr).toBe(0);
    for (const line of [...days, ...disc]) expect(cli.stdout).toContain(line);
    await shot('run');
  });

  it('shows the last store on the overview, the run in the history, and the disc on the media page', async () => {
    const run = await stack.recordedRun(storeRunId);
    expect(run.status).toBe('succeeded');

    await view('Overview');
    const card = page.locator(`[data-device="${DEVICE}"]`);
    await card.locator('.status-succeeded').waitFor({ timeout: SLOW });
    const text = await card.innerText();
    expect(text).toContain(`days ${TODAY}`);
    expect(text).toContain('new disc');
    expect(text).toContain('verified ok');
    expect(await page.getByText('No store succeeded in the last 26 hours').count()).toBe(0);
    await shot('overview');

    await view('History');
    const row = page.getByRole('row').filter({ hasText: storeRunId });
    await row.waitFor({ timeout: SLOW });
    expect(await row.innerText()).toMatch(/store\s+burner-1\/dvd0\s+succeeded/);
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByText('No run matches.').waitFor({ timeout: SLOW });
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await row.waitFor({ timeout: SLOW });
    await shot('history');

    await view('Media');
    const label = expectedLabel(TODAY);
    await page.locator(`[data-disc="${label}"]`).waitFor({ timeout: SLOW });
    expect(await page.locator(`[data-disc="${label}"]`).innerText()).toContain(`${TODAY}: `);
    expect(await discAudit(label)).toEqual({ text: 'disc 1: never audited', failed: false });
    await page.getByLabel(/Which disc holds a file/).fill('notes.txt');
    await page.getByRole('button', { name: 'Find' }).click();
    const found = page.getByRole('list', { name: 'Files found' });
    await found.waitFor({ timeout: SLOW });
    expect(await found.innerText()).toContain(`home/user/notes.txt`);
    expect(await found.innerText()).toContain(`on disc ${label}`);
    await shot('media');
  });

  it("shows the disc's audit on the media page once it passed: when, and its run", async () => {
    const audit = await stack.cliRun(['audit', '--device', DEVICE]);
    expect(audit.code, audit.stderr).toBe(0);
    const at = await lastAuditAt();
    const label = expectedLabel(TODAY);
    await view('Overview');
    await view('Media');
    expect(await discAudit(label)).toEqual({
      text: `disc 1: last audited ${at.slice(0, 10)} ${at.slice(11, 19)}, passed (${audit.run.id})`,
      failed: false,
    });
  });

  it('shows a night too large for the disc as a failed store with MEDIA_FULL and its advice', async () => {
    await stack.stage(TOO_BIG_DAY, { ...nightFiles(TOO_BIG_DAY), 'var/backup.tar': { size: 5 * 1024 * MIB } });
    const failed = await stack.cliRun(['store', '--device', DEVICE, '--today', TOO_BIG_DAY]);
    expect(failed.run).toMatchObject({ status: 'failed', error: { code: 'MEDIA_FULL' } });
    const error = (failed.run as Run).error!;

    await view('Overview');
    const card = page.locator(`[data-device="${DEVICE}"]`);
    await card.locator('.status-failed').waitFor({ timeout: SLOW });
    expect(await card.getByRole('alert').innerText()).toBe(`${error.code}: ${error.message}`);
    await shot('overview-failed');

    await card.getByRole('link', { name: `run ${failed.run.id}` }).click();
    await page.locator('h1 .status', { hasText: 'failed' }).waitFor({ timeout: SLOW });
    expect(await page.getByRole('alert').first().innerText()).toContain(`MEDIA_FULL: ${error.message}`);
    await shot('run-failed');
    expect(problems).toEqual([]);
  });

  it('shows a busy device with its run, and cancels a queued run after a confirmation', async () => {
    await stack.stage(HELD_DAY, nightFiles(HELD_DAY));
    await wrapper.holdWrites();
    const held = await submit({ action: 'store', device: DEVICE, today: HELD_DAY });
    await until('the store holds at its write', async () => (await wrapper.heldWrites()) === 1);
    const waiting = await submit({ action: 'verify', device: DEVICE, days: [TODAY] });

    await view('Overview');
    const card = page.locator(`[data-device="${DEVICE}"]`);
    await card.getByText(`Running ${held.id}`).waitFor({ timeout: SLOW });
    expect(await card.innerText()).toMatch(/connected, busy, 1 queued/);
    await shot('overview-busy');

    await view('Actions');
    const entry = page.getByRole('listitem').filter({ hasText: waiting.id });
    await entry.getByRole('button', { name: 'Cancel run…' }).click();
    const confirm = entry.getByRole('alertdialog');
    expect(await confirm.innerText()).toContain('Cancel it before it starts?');
    await confirm.getByRole('button', { name: `Yes, cancel ${waiting.id}` }).click();
    await page.getByText('No run is waiting.').waitFor({ timeout: SLOW });
    expect((await stack.recordedRun(waiting.id)).status).toBe('cancelled');

    // The held store was never touched: released, it ends as usual.
    await wrapper.releaseWrites();
    await page.goto(`${stack.url}/runs/${held.id}`);
    await page.locator('h1 .status', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    expect(problems).toEqual([]);
  });

  it('shows a failed audit on the media page with its problem count, and its run names the file', async () => {
    const damaged = `${TODAY.replaceAll('-', '/')}/home/user/notes.txt`;
    await flipByteOf(stack.image(DEVICE), damaged);
    const audit = await stack.cliRun(['audit', '--device', DEVICE]);
    expect(audit.code).toBe(1);
    const at = await lastAuditAt();
    const label = expectedLabel(TODAY);
    await view('Overview');
    await view('Media');
    expect(await discAudit(label)).toEqual({
      text: `disc 1: last audited ${at.slice(0, 10)} ${at.slice(11, 19)}, FAILED: 1 problem (${audit.run.id})`,
      failed: true,
    });
    await page.locator(`[data-disc="${label}"] .audit`).getByRole('link', { name: audit.run.id }).click();
    await page.locator('h1 .status', { hasText: 'failed' }).waitFor({ timeout: SLOW });
    expect((await summaryRow('Audit')).some((line) => line.startsWith('differing') && line.endsWith(damaged))).toBe(
      true,
    );
    expect(problems).toEqual([]);
  });

  it('reads at 360 px in the dark theme, and signing out forgets the token', async () => {
    const narrow = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    const phone = await narrow.newPage();
    const phoneProblems = consoleProblems(phone);
    await phone.goto(`${stack.url}/runs/${storeRunId}`);
    await signIn(phone, E2E_API_TOKEN);
    await phone.locator('h1 .status', { hasText: 'succeeded' }).waitFor({ timeout: SLOW });
    const fits = async (what: string): Promise<void> => {
      const [scroll, width] = await phone.evaluate<number[]>('[document.documentElement.scrollWidth, innerWidth]');
      expect(scroll, `${what} is wider than the screen`).toBeLessThanOrEqual(width!);
    };
    await fits('the run page');
    for (const name of ['Overview', 'History', 'Media', 'Actions']) {
      await phone.getByRole('navigation', { name: 'Views' }).getByRole('link', { name, exact: true }).click();
      await phone.getByRole('heading', { level: 1, name }).waitFor({ timeout: SLOW });
      await fits(name);
    }
    // The same tab keeps the token across a reload: the run page opens signed in.
    await phone.goto(`${stack.url}/runs/${storeRunId}`);
    await phone.locator('.summary').waitFor({ timeout: SLOW });
    const background = await phone.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const [red, green, blue] = background.match(/\d+/g)!.map(Number);
    expect(red! + green! + blue!, background).toBeLessThan(150);
    await shot('run-dark-360', phone);

    await phone.getByRole('button', { name: 'Sign out' }).click();
    await phone.getByLabel('API token').waitFor({ timeout: SLOW });
    expect(await phone.evaluate(STORAGE)).toEqual([[], 0, '']);
    expect(phoneProblems).toEqual([]);
    await narrow.close();
  });
});
