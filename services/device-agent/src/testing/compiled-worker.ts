/**
 * The file-worker thread runs compiled JavaScript, which the unit tests (running the TypeScript
 * sources) do not have: compile the worker's modules into a temporary directory.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export async function compiledWorker(into: string): Promise<URL> {
  for (const name of ['file-worker', 'file-work-protocol', 'sync-fs', 'day-walker', 'day-facts', 'file-comparer']) {
    const source = await readFile(fileURLToPath(new URL(`../files/${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(into, `${name}.js`), outputText);
  }
  return pathToFileURL(join(into, 'file-worker.js'));
}
