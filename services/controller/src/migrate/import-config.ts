/**
 * The whole of `cedar-store import-config`, minus the command line: read cback.conf, map it,
 * render both files, check the text says what the mapping meant, write both or neither, and
 * tell the user what is left to do by hand.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { MAX_CONFIG_BYTES } from './cback-xml.js';
import { IMPORT_DEFAULTS, mapCedarBackupConfig, type ImportResult } from './map-cback-config.js';
import { MigrationError } from './migration-error.js';
import { renderAgentYaml, renderControllerYaml } from './render-yaml.js';
import { writeConfigFiles } from './write-configs.js';

export { MigrationError } from './migration-error.js';

export type ImportRequest = { cbackConf: string; outDir: string; force: boolean; agentId: string };
export type ImportOutcome = ImportResult & { written: string[]; nextSteps: string[] };

export async function importConfig(request: ImportRequest): Promise<ImportOutcome> {
  const xml = await readConfig(request.cbackConf);
  const source = basename(request.cbackConf);
  const result = mapCedarBackupConfig(xml, { agentId: request.agentId, source: request.cbackConf });
  const agentYaml = renderAgentYaml(result.agentConfig, source);
  const controllerYaml = renderControllerYaml(result.controllerConfig, source);
  // The text is what the services will read: it must say exactly what the mapping decided.
  if (
    !isDeepStrictEqual(parseYaml(agentYaml), result.agentConfig) ||
    !isDeepStrictEqual(parseYaml(controllerYaml), result.controllerConfig)
  ) {
    throw new Error('import-config rendered YAML that does not match its mapping: please report this as a bug');
  }
  const written = await writeConfigFiles(
    resolve(request.outDir),
    [
      { name: 'agent.yaml', text: agentYaml },
      { name: 'controller.yaml', text: controllerYaml },
    ],
    request.force,
  );
  return { ...result, written, nextSteps: nextSteps(result) };
}

async function readConfig(path: string): Promise<string> {
  const facts = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new MigrationError(`cannot read ${path} (${error.code ?? error.message}): give the path of cback.conf`);
  });
  if (!facts.isFile()) throw new MigrationError(`${path} is not a file: give the path of cback.conf`);
  if (facts.size > MAX_CONFIG_BYTES) {
    throw new MigrationError(`${path} is larger than 1 MiB: it is not a Cedar Backup configuration file`);
  }
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new MigrationError(`cannot read ${path} (${error.code ?? error.message})`);
  });
}

function nextSteps(result: ImportResult): string[] {
  const agent = result.agentConfig;
  const steps = [
    '1. Create the token files, readable by the user running the services only (mode 0600):',
    `     openssl rand -hex 32 > ${IMPORT_DEFAULTS.apiTokenFile} && chmod 600 ${IMPORT_DEFAULTS.apiTokenFile}`,
    `     openssl rand -hex 32 > ${IMPORT_DEFAULTS.agentTokenFile} && chmod 600 ${IMPORT_DEFAULTS.agentTokenFile}`,
    "     chown cedar-store: /etc/cedar-store/*.token     # the services' user",
    '2. Copy agent.yaml and controller.yaml to /etc/cedar-store/ and read them over.',
    `3. Let the agent write ${agent.stagingRoot} (the store indicators) and ${agent.workingDir}: with the units`,
    '   of deploy/systemd, list both in ReadWritePaths= of cedar-store-agent.service.',
    '4. Check controller.yaml as its service will read it, then start the services:',
    '     sudo -u cedar-store cedar-store check-config /etc/cedar-store/controller.yaml',
    '     systemctl enable --now cedar-store-agent cedar-store-controller',
    "5. Replace the reference's store action (cback store in cron) with cedar-store-nightly.timer,",
    '   or with: CEDAR_STORE_TOKEN_FILE=/etc/cedar-store/api.token cedar-store store',
  ];
  if (result.rebuildSourceDir !== undefined) {
    steps.push(
      `6. The reference's rebuild read <store>/<source_dir> (${result.rebuildSourceDir}), not the staging directory`,
      `   ${agent.stagingRoot} its store read; cedar-store's store and rebuild both read stagingRoot. If days to`,
      '   rebuild are kept in the source directory, move them under stagingRoot (or point stagingRoot there).',
    );
  }
  return steps;
}
