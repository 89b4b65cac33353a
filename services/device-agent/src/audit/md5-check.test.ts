// xorriso's -check_md5_r verdict, read from its recorded output (fixtures/README.md).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMd5Args, md5CheckCollector } from './md5-check.js';

async function verdictOf(name: string, exitCode: number) {
  const collector = md5CheckCollector();
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = await readFile(join(import.meta.dirname, 'fixtures', `${name}.${stream}.txt`), 'utf8');
    for (const line of text.split('\n')) collector.line(line, stream);
  }
  return collector.finish(exitCode);
}

describe('md5CheckCollector', () => {
  it('says ok when every recorded MD5 matches', async () => {
    expect(await verdictOf('check-md5-ok', 0)).toEqual({
      verdict: 'ok',
      words: 'File contents and their MD5 checksums match.',
    });
  });

  it('says mismatch and names the file whose bytes changed', async () => {
    const check = await verdictOf('check-md5-mismatch', 32);
    expect(check.verdict).toBe('mismatch');
    expect(check.words).toContain("MD5 MISMATCH: '/2026/11/25/docs/b.txt'");
    expect(check.words).toContain('Mismatch detected between file contents and MD5 checksums.');
  });

  it('says absent for a disc written without MD5s, as the virtual backend writes', async () => {
    const check = await verdictOf('check-md5-absent', 0);
    expect(check).toEqual({
      verdict: 'absent',
      words: 'Not a single file with MD5 checksum was found. (There is no MD5 checksum array loaded.)',
    });
  });

  it('says absent, with the warning, when the checksum array is damaged', async () => {
    const check = await verdictOf('check-md5-damaged', 0);
    expect(check.verdict).toBe('absent');
    expect(check.words).toMatch(/MD5 checksum array appears damaged/);
  });

  it('takes no verdict as a failed check, never as ok', () => {
    const collector = md5CheckCollector();
    collector.line("xorriso : FAILURE : Cannot read data from 'x'", 'stderr');
    expect(collector.finish(5)).toEqual({
      verdict: 'mismatch',
      words: "FAILURE : Cannot read data from 'x'\nxorriso -check_md5_r gave no verdict (exit code 5)",
    });
  });

  it('names at most 20 mismatching files and counts the rest', () => {
    const collector = md5CheckCollector();
    for (let i = 0; i < 25; i++) collector.line(`MD5 MISMATCH: '/2026/11/25/f${String(i)}'`, 'stdout');
    const check = collector.finish(32);
    expect(check.verdict).toBe('mismatch');
    expect(check.words.split('\n').filter((line) => line.startsWith('MD5 MISMATCH'))).toHaveLength(20);
    expect(check.words).toContain('… and 5 more');
  });

  it('loads the recorded checksums: -md5 on comes before -indev', () => {
    const args = checkMd5Args('stdio:/tmp/disc.iso');
    expect(args.indexOf('-md5')).toBeLessThan(args.indexOf('-indev'));
  });
});
