/**
 * The benchmark's staging days, generated rather than shipped: a few large files and thousands
 * of small ones in nested directories, filled with AES-CTR output so the bytes look random
 * (nothing compresses, nothing is sparse) and are the same for the same seed on every machine.
 * A day already generated with the same shape (its manifest matches) is reused, so `--dir`
 * makes the second run skip the generation.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MiB = 2 ** 20;
const BLOCK = 4 * MiB;

/** The shapes the bench stores. Sizes in bytes; small files spread over directories of `perDirectory`. */
export const DAY_SHAPES = {
  /** ≥ 1 GiB: four large files and 3 000 small ones (~1.05 GiB). */
  standard: {
    large: [256, 256, 256, 128].map((m) => m * MiB),
    small: 3000,
    smallMin: 4096,
    smallMax: 100 * 1024,
    perDirectory: 100,
  },
  /** ≥ 4 GiB: sixteen 256 MiB files and the same 3 000 small ones (~4.15 GiB). */
  big: { large: Array(16).fill(256 * MiB), small: 3000, smallMin: 4096, smallMax: 100 * 1024, perDirectory: 100 },
  /** Many small files: 1–8 KiB each, 1 000 per directory. */
  smallFiles: (count) => ({ large: [], small: count, smallMin: 1024, smallMax: 8192, perDirectory: 1000 }),
};

/** A deterministic stream of pseudo-random bytes: AES-128-CTR over zeros, keyed by the seed. */
function randomStream(seed) {
  const key = createHash('sha256').update(String(seed)).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(BLOCK);
  return (bytes) => cipher.update(bytes === BLOCK ? zeros : zeros.subarray(0, bytes));
}

/** Sizes of the small files, spread evenly between min and max by a cheap deterministic hash. */
function smallSize(index, min, max) {
  const mixed = Math.imul(index + 1, 2654435761) >>> 0;
  return min + (mixed % (max - min + 1));
}

export function dayBytes(shape) {
  let total = shape.large.reduce((sum, size) => sum + size, 0);
  for (let i = 0; i < shape.small; i++) total += smallSize(i, shape.smallMin, shape.smallMax);
  return total;
}

/**
 * Writes the day under `dayPath` (with its `cback.stage` stage indicator) unless a day of the
 * same shape is already there. Returns the day's files and bytes.
 */
export async function ensureDay(dayPath, shape, seed, log = () => {}) {
  const manifest = JSON.stringify({ version: 1, seed, shape });
  const manifestPath = join(dayPath, '..', `.bench-${seed}.json`);
  const bytes = dayBytes(shape);
  const files = shape.large.length + shape.small;
  if ((await readFile(manifestPath, 'utf8').catch(() => null)) === manifest) return { files, bytes, reused: true };

  log(`generating ${files} files (${(bytes / 2 ** 30).toFixed(2)} GiB) under ${dayPath}`);
  await rm(dayPath, { recursive: true, force: true });
  await mkdir(dayPath, { recursive: true });
  const next = randomStream(seed);
  for (const [index, size] of shape.large.entries())
    await writeFileOfSize(join(dayPath, `large-${index}.bin`), size, next);
  const directories = Math.ceil(shape.small / shape.perDirectory);
  for (let d = 0; d < directories; d++) {
    const directory = join(dayPath, `set-${String(d).padStart(3, '0')}`, `part-${d % 7}`);
    await mkdir(directory, { recursive: true });
    const end = Math.min(shape.small, (d + 1) * shape.perDirectory);
    // Small files in batches at once: one at a time, 100 000 files take minutes of syscall latency.
    const batch = [];
    for (let i = d * shape.perDirectory; i < end; i++) {
      batch.push(writeFile(join(directory, `file-${i}.dat`), next(smallSize(i, shape.smallMin, shape.smallMax))));
    }
    await Promise.all(batch);
  }
  await writeFile(join(dayPath, 'cback.stage'), '');
  await writeFile(manifestPath, manifest);
  return { files, bytes, reused: false };
}

async function writeFileOfSize(path, size, next) {
  const handle = await open(path, 'w');
  try {
    for (let written = 0; written < size;) {
      const chunk = next(Math.min(BLOCK, size - written));
      await handle.write(chunk, 0, chunk.length);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
}
