/**
 * xorriso's own check of a disc (`-check_md5_r`): where it recorded MD5s when writing (real drives
 * write with `-md5 on`, the `virtual` backend with `-md5 off`: docs/decisions/0002-no-md5-in-virtual-images.md),
 * it reads every file again and compares. Its verdict lines are on stdout, a mismatch also as a
 * SORRY event on stderr; both are read line by line, keeping only the few lines worth showing.
 */
import type { Md5Check } from '@cedar-store/ports';

/** `-md5 on` before `-indev`, or the checksums recorded on the disc are not loaded. */
export function checkMd5Args(device: string): string[] {
  return ['-abort_on', 'NEVER', '-md5', 'on', '-indev', device, '-check_md5_r', 'sorry', '/', '--'];
}

/** Mismatching files named in the words; more are counted. */
const MAX_NAMED = 20;
const MAX_WORDS = 4000;

const MATCH = 'File contents and their MD5 checksums match.';
const ABSENT = 'Not a single file with MD5 checksum was found.';
const MISMATCH = 'Mismatch detected between file contents and MD5 checksums.';

/** Collects the verdict from the check's lines as they come. */
export function md5CheckCollector() {
  const verdictLines: string[] = [];
  const notes: string[] = [];
  const mismatched: string[] = [];
  let mismatchCount = 0;
  return {
    line(text: string, stream: 'stdout' | 'stderr'): void {
      const line = text.trim();
      if (stream === 'stdout') {
        if (line.startsWith('MD5 MISMATCH:')) {
          mismatchCount += 1;
          if (mismatched.length < MAX_NAMED) mismatched.push(line);
        } else if (line !== '' && verdictLines.length < MAX_NAMED) verdictLines.push(line);
        return;
      }
      // Warnings about the checksums themselves (a damaged array) and failures to read.
      if (/MD5|(: (FAILURE|FATAL|SORRY) : )/.test(line) && !/Event triggered by MD5 comparison/.test(line)) {
        if (notes.length < MAX_NAMED) notes.push(line.replace(/^(xorriso|libisofs|libisoburn|libburn) : /, ''));
      }
    },
    finish(exitCode: number): Md5Check {
      const text = verdictLines.join(' ');
      let verdict: Md5Check['verdict'];
      if (mismatchCount > 0 || text.includes(MISMATCH)) verdict = 'mismatch';
      else if (text.includes(ABSENT)) verdict = 'absent';
      else if (text.includes(MATCH) && exitCode === 0) verdict = 'ok';
      // No verdict at all (the disc could not be read): the check did not confirm the data.
      else verdict = 'mismatch';
      const words = [
        ...mismatched,
        ...(mismatchCount > mismatched.length ? [`… and ${String(mismatchCount - mismatched.length)} more`] : []),
        ...verdictLines,
        ...notes,
        ...(verdictLines.length === 0 ? [`xorriso -check_md5_r gave no verdict (exit code ${String(exitCode)})`] : []),
      ].join('\n');
      return { verdict, words: words.length > MAX_WORDS ? `${words.slice(0, MAX_WORDS - 1)}…` : words };
    },
  };
}
