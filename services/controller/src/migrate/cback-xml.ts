/**
 * Reads the reference tool's XML configuration (cback.conf) into plain nested records of
 * strings. Only what a configuration file needs is allowed: no DTD (so no entity expansion of
 * any kind), one `<cb_config>` root, values kept as the strings they were written as, so the
 * mapping parses every number and flag itself and can name the element it refuses.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MigrationError } from './migration-error.js';

/** An element: its text, or its children by name (an array when a name repeats). */
export type XmlValue = string | XmlElement | XmlValue[];
export type XmlElement = { [name: string]: XmlValue };

/** A configuration file is small; anything larger is not one (and would only slow the parser down). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: true,
  // Strings only: "08" must stay "08" and "1e3" must not become a number behind the mapping's back.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The five predefined entities only (&amp; in a path is legitimate); no HTML entities.
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  maxNestedTags: 32,
});

export function readCedarBackupXml(text: string, source: string): XmlElement {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw new MigrationError(`${source} is larger than 1 MiB: it is not a Cedar Backup configuration file`);
  }
  // A DTD could define entities that expand into anything; cback.conf never has one.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new MigrationError(
      `${source} declares a DOCTYPE or ENTITY, which a Cedar Backup configuration never needs: remove the ` +
        'declaration and run import-config again',
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new MigrationError(
      `${source} is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}): ` +
        'fix the file (xmllint --noout shows the same problem) and run import-config again',
    );
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    throw new MigrationError(`${source} could not be read as XML: ${(error as Error).message}`);
  }
  const roots = isElement(document) ? Object.keys(document) : [];
  if (roots.length !== 1 || roots[0] !== 'cb_config') {
    throw new MigrationError(
      `${source} is not a Cedar Backup configuration: its root element is ${roots.map((name) => `<${name}>`).join(', ') || 'missing'}, ` +
        'expected one <cb_config>',
    );
  }
  const root = (document as XmlElement).cb_config;
  // <cb_config/> or <cb_config>text</cb_config>: nothing inside to map.
  return isElement(root) ? root : {};
}

export function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
