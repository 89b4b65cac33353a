import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A file to stage: its text, or a size (written as a sparse file: no disk, no memory). */
export type StagedFile = string | { size: number };

/** Creates `<root>/YYYY/MM/DD/` with the files and, unless told otherwise, `cback.stage`. */
export async function stageDayOnDisk(
  root: string,
  day: string,
  files: Record<string, StagedFile>,
  indicators: { staged?: boolean; stored?: boolean } = {},
): Promise<string> {
  const dir = join(root, ...day.split('-'));
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === 'string') {
      await writeFile(target, content);
    } else {
      const handle = await open(target, 'w');
      await handle.truncate(content.size);
      await handle.close();
    }
  }
  if (indicators.staged ?? true) await writeFile(join(dir, 'cback.stage'), '');
  if (indicators.stored) await writeFile(join(dir, 'cback.store'), '');
  return dir;
}
