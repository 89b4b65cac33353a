import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ControllerConfigSchema } from '../config/controller-config.js';
import { mapCedarBackupConfig } from './map-cback-config.js';
import { MigrationError } from './migration-error.js';
import { renderAgentYaml, renderControllerYaml } from './render-yaml.js';

const STORE_ELEMENTS = [
  'source_dir',
  'media_type',
  'device_type',
  'target_device',
  'target_scsi_id',
  'drive_speed',
  'check_data',
  'check_media',
  'warn_midnite',
  'no_eject',
  'refresh_media_delay',
  'eject_delay',
] as const;

/** Plausible and implausible values: the right ones, near misses, and anything at all. */
const value = fc.oneof(
  fc.constantFrom('Y', 'N', 'y', '4', '0', '12', 'dvd+rw', 'cdr-74', 'bd-r', 'dvdwriter', 'cdwriter', '/dev/sr0'),
  fc.constantFrom('/opt/backup/stage', 'ATA:1,0,0', '0,0,0', 'yes', '-1', '4.5', '', ' ', '1e3', '08'),
  fc.string({ maxLength: 20 }),
);

/** Mostly absent, as most of cback.conf's store elements are optional. */
const sometimes = fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: value, weight: 1 });

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The required elements valid, so the optional ones decide: many runs map, the rest are refused. */
const REQUIRED = { source_dir: '/opt/backup/stage', media_type: 'cdrw-74', target_device: '/dev/sr0' };

function config(store: Partial<Record<(typeof STORE_ELEMENTS)[number], string | undefined>>): string {
  const elements = Object.entries(store)
    .filter(([, text]) => text !== undefined)
    .map(([name, text]) => `<${name}>${escapeXml(text)}</${name}>`)
    .join('');
  return `<cb_config><options><starting_day>monday</starting_day><working_dir>/w</working_dir></options><store>${elements}</store></cb_config>`;
}

/** Either a mapping or a MigrationError: never a crash, never another kind of error. */
function outcome(xml: string) {
  try {
    return mapCedarBackupConfig(xml, { agentId: 'burner-1' });
  } catch (error) {
    if (error instanceof MigrationError) return error;
    throw error;
  }
}

describe('mapCedarBackupConfig on any input', () => {
  let mapped = 0;

  it('any <store> values: a configuration the controller accepts and YAML that says the same, or a refusal naming an element', () => {
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(STORE_ELEMENTS.map((name) => [name, sometimes])), { requiredKeys: [] }),
        fc.boolean(),
        (store, required) => {
          const result = outcome(config(required ? { ...store, ...REQUIRED } : store));
          mapped += result instanceof MigrationError ? 0 : 1;
          if (result instanceof MigrationError) {
            expect(result.message).toMatch(/<[a-z_]+>/);
            return;
          }
          expect(ControllerConfigSchema.safeParse(result.controllerConfig).success).toBe(true);
          expect(parse(renderAgentYaml(result.agentConfig, 'c'))).toEqual(result.agentConfig);
          expect(parse(renderControllerYaml(result.controllerConfig, 'c'))).toEqual(result.controllerConfig);
        },
      ),
      { numRuns: 300 },
    );
    // Both outcomes were exercised, not only refusals.
    expect(mapped).toBeGreaterThan(0);
    expect(mapped).toBeLessThan(300);
  });

  it('any text at all: a mapping or a MigrationError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom(
            '<constructor/>',
            '<cb_config><__proto__/></cb_config>',
            '<cb_config><store><constructor>1</constructor></store></cb_config>',
          ),
        ),
        (text) => {
          const result = outcome(text);
          expect(result instanceof MigrationError || typeof result.agentConfig === 'object').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
