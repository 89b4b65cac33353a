/**
 * Configuration files for the security suites: the two services' YAML with token files,
 * optional TLS on the agent and a CA on the controller, written the way an operator would.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A token file with the given mode (0600 unless the test is about a looser one). */
export async function writeTokenFile(path: string, token: string, mode = 0o600): Promise<string> {
  await writeFile(path, `${token}\n`, { mode });
  return path;
}

export async function writeAgentYaml(
  path: string,
  settings: {
    base: string;
    port: number;
    tokenFile: string;
    tls?: { cert: string; key: string };
    /** The agent's `limits` section, written as YAML flow text, e.g. `{ handshakeTimeoutSeconds: 1 }`. */
    limits?: string;
  },
): Promise<void> {
  await writeFile(
    path,
    [
      'agentId: burner-1',
      `listen: { host: 127.0.0.1, port: ${settings.port} }`,
      `auth: { tokenFile: ${settings.tokenFile} }`,
      ...(settings.tls ? [`tls: { certFile: ${settings.tls.cert}, keyFile: ${settings.tls.key} }`] : []),
      ...(settings.limits ? [`limits: ${settings.limits}`] : []),
      `stagingRoot: ${join(settings.base, 'stage')}`,
      `workingDir: ${join(settings.base, 'work')}`,
      'devices:',
      `  - { id: dvd0, backend: virtual, path: ${join(settings.base, 'dvd0.iso')}, mediaType: dvd+rw }`,
      '',
    ].join('\n'),
  );
}

export async function writeControllerYaml(
  path: string,
  settings: { database: string; agentUrl: string; apiTokenFile: string; agentTokenFile: string; caFile?: string },
): Promise<void> {
  await writeFile(
    path,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `auth: { tokenFile: ${settings.apiTokenFile} }`,
      `database: ${settings.database}`,
      'timeZone: UTC',
      'agents:',
      `  - id: burner-1`,
      `    url: "${settings.agentUrl}"`,
      `    tokenFile: ${settings.agentTokenFile}`,
      ...(settings.caFile ? [`    caFile: ${settings.caFile}`] : []),
      // Named here so a run can be asked for before the agent was ever reached.
      'devices:',
      '  burner-1/dvd0: {}',
      '',
    ].join('\n'),
  );
}

/** Everything an HTTP client saw: status line, headers and body, for a test to search. */
export type Transcript = string[];

/** fetch that writes each exchange into the transcript, answering the parsed JSON (or text). */
export async function recorded(
  transcript: Transcript,
  url: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  transcript.push(
    `${init.method ?? 'GET'} ${url} → ${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
  );
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics): kept as text
  }
  return { status: response.status, body, text };
}
