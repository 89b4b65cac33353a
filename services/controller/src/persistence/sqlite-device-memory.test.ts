import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceDescription } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteDeviceMemory } from './sqlite-device-memory.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-devices-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const dvd: DeviceDescription = { id: 'dvd0', backend: 'xorriso', mediaType: 'dvd+rw' };
const iso: DeviceDescription = { id: 'iso0', backend: 'virtual', mediaType: 'bd-re' };

describe('SqliteDeviceMemory', () => {
  it('recalls what each agent last described, after the controller restarts', () => {
    const path = join(dir, 'controller.db');
    const first = openDatabase(path);
    const memory = new SqliteDeviceMemory(first);
    expect(memory.recall()).toEqual(new Map());
    memory.remember('burner-1', [dvd]);
    memory.remember('burner-2', [iso, dvd]);
    first.close();

    const second = openDatabase(path);
    try {
      expect(new SqliteDeviceMemory(second).recall()).toEqual(
        new Map([
          ['burner-1', [dvd]],
          ['burner-2', [iso, dvd]],
        ]),
      );
    } finally {
      second.close();
    }
  });

  it('replaces what an agent described with its latest description, even an empty one', () => {
    const db = openDatabase(':memory:');
    try {
      const memory = new SqliteDeviceMemory(db);
      memory.remember('burner-1', [dvd, iso]);
      memory.remember('burner-1', [iso]);
      memory.remember('burner-2', [dvd]);
      memory.remember('burner-2', []);
      expect(memory.recall()).toEqual(
        new Map([
          ['burner-1', [iso]],
          ['burner-2', []],
        ]),
      );
    } finally {
      db.close();
    }
  });

  it('leaves out devices stored in a shape this controller does not know, keeping the rest', () => {
    const db = openDatabase(':memory:');
    try {
      const memory = new SqliteDeviceMemory(db);
      memory.remember('burner-1', [dvd]);
      memory.remember('burner-2', [dvd]);
      const unknownBackend = JSON.stringify([{ id: 'tape0', backend: 'lto', mediaType: 'dvd+rw' }, iso]);
      db.prepare("UPDATE agent_devices SET devices = ? WHERE agent_id = 'burner-1'").run(unknownBackend);
      db.prepare("UPDATE agent_devices SET devices = 'garbage' WHERE agent_id = 'burner-2'").run();
      expect(memory.recall()).toEqual(
        new Map([
          ['burner-1', [iso]],
          ['burner-2', []],
        ]),
      );
    } finally {
      db.close();
    }
  });
});
