/**
 * A real browser for the dashboard tests: Debian's chromium (scripts/install-system-packages.sh
 * installs it) driven by playwright-core, which downloads no browser of its own. Screenshots go
 * to .ci/out/screenshots, where a reviewer finds them after a run.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { ROOT } from '../processes.js';

export const CHROMIUM = process.env.CEDAR_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, '.ci/out/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run npm run setup (it installs Debian's chromium)`);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  // As root (CI's containers) Chromium's sandbox cannot start; the pages are the project's own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/** Every console error and uncaught exception a page had: a CSP violation shows up here too. */
export function consoleProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}
