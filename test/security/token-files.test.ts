// Token files other users can read are refused when either service starts: the process exits 2
// before listening, and its message names the file and the command that fixes it.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_BIN, buildServices, CLI_BIN, runNodeScript } from '../support/processes.js';
import { writeAgentYaml, writeControllerYaml, writeTokenFile } from './support/service-files.js';

const API_TOKEN = 'perm-api-token-Mn3Bv6Cx9Za2Sd5F';
const AGENT_TOKEN = 'perm-agent-token-Lk8Jh1Gf4Ds7Aq0W';

let base: string;

beforeAll(async () => {
  await buildServices();
  base = await mkdtemp(join(tmpdir(), 'cedar-token-files-'));
  await mkdir(join(base, 'stage'), { recursive: true });
}, 180_000);

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

/** The refusal a user must see: exit 2, the file named, the fix spelt out, the token itself nowhere. */
function expectRefused(result: { code: number; stdout: string; stderr: string }, file: string, mode: number): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain(file);
  expect(result.stderr).toContain(`chmod 600 ${file}`);
  expect(result.stderr).toContain(`mode ${mode.toString(8)}`);
  expect(result.stdout).not.toMatch(/listening/);
  for (const token of [API_TOKEN, AGENT_TOKEN]) expect(`${result.stdout}${result.stderr}`).not.toContain(token);
}

describe.each([0o644, 0o640])('a token file with mode %o', { timeout: 120_000 }, (mode) => {
  it('stops cedar-store-agent from starting', async () => {
    const tokenFile = await writeTokenFile(join(base, `agent-${mode.toString(8)}.token`), AGENT_TOKEN, mode);
    const config = join(base, `agent-${mode.toString(8)}.yaml`);
    await writeAgentYaml(config, { base, port: 0, tokenFile });
    expectRefused(await runNodeScript(AGENT_BIN, ['--config', config]), tokenFile, mode);
  });

  it('stops the controller from starting, as its API token or as an agent token', async () => {
    const loose = await writeTokenFile(join(base, `loose-${mode.toString(8)}.token`), API_TOKEN, mode);
    const tight = await writeTokenFile(join(base, `tight-${mode.toString(8)}.token`), AGENT_TOKEN);
    const agentUrl = 'ws://127.0.0.1:9/rpc';
    const database = join(base, `controller-${mode.toString(8)}.db`);
    const asApiToken = join(base, `api-${mode.toString(8)}.yaml`);
    await writeControllerYaml(asApiToken, { database, agentUrl, apiTokenFile: loose, agentTokenFile: tight });
    expectRefused(await runNodeScript(CLI_BIN, ['controller', '--config', asApiToken]), loose, mode);
    const asAgentToken = join(base, `agent-token-${mode.toString(8)}.yaml`);
    await writeControllerYaml(asAgentToken, { database, agentUrl, apiTokenFile: tight, agentTokenFile: loose });
    expectRefused(await runNodeScript(CLI_BIN, ['controller', '--config', asAgentToken]), loose, mode);
  });
});
