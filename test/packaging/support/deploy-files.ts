/**
 * Reading what deploy/ ships the way the tools that use it do: the example configurations
 * (found by walking the directory, so a new one is covered without touching a test),
 * systemd unit files, Containerfiles and the compose file.
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify } from 'yaml';
import { parseBinLine } from '../../../bench/lib/bin-line.mjs';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');

export type ConfigKind = 'agent' | 'controller';
export type DeployConfig = { path: string; name: string; kind: ConfigKind };

/** Files in deploy/ that are YAML but not a service configuration (alerts.yml: Prometheus rules). */
const NOT_SERVICE_CONFIGS = new Set(['compose.yaml', 'alerts.yml']);

/** Every agent and controller configuration under deploy/, told apart by their file names. */
export async function deployConfigs(): Promise<DeployConfig[]> {
  const entries = await readdir(DEPLOY, { recursive: true });
  return entries
    .filter((entry) => /\.ya?ml$/.test(entry) && !NOT_SERVICE_CONFIGS.has(basename(entry)))
    .filter((entry) => !entry.split('/').includes('node_modules'))
    .sort()
    .map((entry) => {
      const name = basename(entry);
      const kind = name.includes('agent') ? 'agent' : name.includes('controller') ? 'controller' : null;
      if (!kind) {
        throw new Error(
          `deploy/${entry}: a YAML file whose name says neither agent nor controller; name it so the example tests load it`,
        );
      }
      return { path: join(DEPLOY, entry), name: `deploy/${entry}`, kind };
    });
}

export const TEST_TOKEN = 'a-test-token-long-enough-0123456789';

/** Keys whose value names a file on the target host that the loaders read at start. */
const HOST_FILE_KEYS = new Set(['tokenFile', 'caFile', 'certFile', 'keyFile']);

/**
 * The configuration with every file it names on the target host (token files, CA files)
 * moved under `root`, where they are created as the host would have them (tokens mode
 * 0600). Nothing else changes, so the real loader judges everything else as written.
 */
export async function relocateHostFiles(path: string, root: string): Promise<{ path: string; document: unknown }> {
  const document: unknown = parseYaml(await readFile(path, 'utf8'));
  const created: Promise<void>[] = [];
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        if (!HOST_FILE_KEYS.has(key) || typeof inner !== 'string') return [key, visit(inner)];
        const moved = join(root, 'host', inner);
        created.push(createHostFile(moved, key));
        return [key, moved];
      }),
    );
  };
  const relocated = visit(document);
  await Promise.all(created);
  const out = join(root, basename(path));
  await writeFile(out, stringify(relocated));
  return { path: out, document };
}

async function createHostFile(path: string, key: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (key === 'tokenFile') {
    await writeFile(path, `${TEST_TOKEN}\n`);
    await chmod(path, 0o600);
  } else {
    // The loaders read CA, certificate and key files as text; their content is TLS's business.
    await writeFile(path, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  }
}

/** A systemd unit: each section's keys with every value given (keys may repeat). */
export type Unit = Record<string, Record<string, string[]>>;

export async function readUnit(name: string): Promise<Unit> {
  const text = await readFile(join(DEPLOY, 'systemd', name), 'utf8');
  const unit: Unit = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${name}: "${line}" is neither a section nor key=value`);
    const key = line.slice(0, eq).trim();
    (unit[section]![key] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** The single value of a key, as systemd would end up with for a plain setting. */
export function unitValue(unit: Unit, section: string, key: string): string | undefined {
  return unit[section]?.[key]?.at(-1);
}

/** ReadWritePaths= and friends: every listed path, with the "-" (ignore if missing) prefix dropped. */
export function unitPaths(unit: Unit, section: string, key: string): string[] {
  return (unit[section]?.[key] ?? []).flatMap((value) => value.split(/\s+/)).map((path) => path.replace(/^-/, ''));
}

/** Whether `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

export type Instruction = { keyword: string; args: string };

/** A Containerfile's instructions, with continuation lines joined and comments dropped. */
export async function readContainerfile(name: string): Promise<Instruction[]> {
  const text = await readFile(join(DEPLOY, 'container', name), 'utf8');
  const joined = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

/** COPY's sources and destination, with its --from stage when it copies from one. */
export function copyParts(args: string): { from?: string; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/**
 * The node flags on the first line of a package's bin source (`#!/usr/bin/env -S node --flag`):
 * the systemd unit and the container must start the bin with the same.
 */
export async function nodeFlagsOf(packageDir: string): Promise<string[]> {
  return parseBinLine(await binLineOf(packageDir)).flags;
}

/**
 * The environment the first line of a package's bin sets before node
 * (`#!/usr/bin/env -S NAME=value node …`): the systemd unit and the container must set the same.
 */
export async function nodeEnvironmentOf(packageDir: string): Promise<Record<string, string>> {
  return parseBinLine(await binLineOf(packageDir)).env;
}

/** The first line of a package's bin source. */
async function binLineOf(packageDir: string): Promise<string> {
  return (await readFile(join(packageDir, 'src/bin.ts'), 'utf8')).split('\n', 1)[0]!;
}
