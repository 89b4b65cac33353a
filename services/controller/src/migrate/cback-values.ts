/**
 * Reading one value out of cback.conf the way the reference tool did, or refusing it with
 * the element's path, its value and what to write instead. The mapping uses only these, so
 * every refusal reads alike.
 */
import { isAbsolute } from 'node:path';
import { isElement, type XmlElement } from './cback-xml.js';
import { MigrationError } from './migration-error.js';

export function requiredSection(root: XmlElement, name: string, why: string): XmlElement {
  const section = optionalSection(root, name);
  if (section === undefined) {
    throw new MigrationError(
      `missing <${name}>: it holds ${why}, and cedar-store cannot guess it. Add the section (as the reference tool ` +
        'needed it for its store action) and run import-config again',
      name,
    );
  }
  return section;
}

export function optionalSection(parent: XmlElement, name: string, path = name): XmlElement | undefined {
  const value = parent[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw repeated(path);
  if (value === '') return {};
  if (!isElement(value)) {
    throw new MigrationError(`${tag(path)} holds text ("${value}"), expected elements`, path);
  }
  return value;
}

/** The text of `path`'s last element in `parent`; empty counts as absent, as the reference reads it. */
export function optionalText(parent: XmlElement, path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const value = parent[name];
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) throw repeated(path);
  if (typeof value !== 'string') {
    throw new MigrationError(`${tag(path)} holds elements, expected a value: write it as text`, path);
  }
  return value;
}

export function requiredText(parent: XmlElement, path: string): string {
  const value = optionalText(parent, path);
  if (value === undefined) {
    throw new MigrationError(`missing ${tag(path)}: add it (the reference tool requires it too)`, path);
  }
  return value;
}

export function checkElements(section: XmlElement, path: string, known: string[]): void {
  for (const name of Object.keys(section)) {
    if (!known.includes(name)) {
      throw new MigrationError(
        `${tag(`${path}/${name}`)} is not an element import-config knows how to carry over: remove it, or ` +
          'configure its effect in agent.yaml or controller.yaml by hand after importing without it',
        `${path}/${name}`,
      );
    }
  }
}

/** The reference 3.x reads Y or y as yes and N or n as no, and refuses anything else; so does this. */
export function flag(parent: XmlElement, path: string, absent: boolean): boolean {
  const value = optionalText(parent, path);
  if (value === undefined) return absent;
  if (value === 'Y' || value === 'y') return true;
  if (value === 'N' || value === 'n') return false;
  throw new MigrationError(
    `${tag(path)} is "${value}": write Y or N (Cedar Backup 3 refuses it too: it accepts only Y, y, N or n)`,
    path,
  );
}

export function seconds(parent: XmlElement, path: string): number {
  const value = optionalText(parent, path);
  return value === undefined ? 0 : wholeNumber(value, path, 0);
}

export function wholeNumber(value: string, path: string, min: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new MigrationError(`${tag(path)} is "${value}": write a whole number >= ${min}`, path);
  }
  return number;
}

export function absolutePath(value: string, path: string): string {
  if (!isAbsolute(value)) {
    throw new MigrationError(`${tag(path)} is "${value}": write an absolute path (starting with /)`, path);
  }
  return value;
}

function repeated(path: string): MigrationError {
  return new MigrationError(`${tag(path)} appears more than once: keep one and run import-config again`, path);
}

/** `store/media_type` → `<store>/<media_type>`. */
export function tag(path: string): string {
  return path
    .split('/')
    .map((name) => `<${name}>`)
    .join('/');
}
