/** DI tokens for every port: a composition root binds each to one adapter. */
export const TOKENS = {
  DeviceDirectory: Symbol.for('cedar-store.DeviceDirectory'),
  RunRepository: Symbol.for('cedar-store.RunRepository'),
  MediaCatalog: Symbol.for('cedar-store.MediaCatalog'),
  ManifestCatalog: Symbol.for('cedar-store.ManifestCatalog'),
  AuditCatalog: Symbol.for('cedar-store.AuditCatalog'),
  Clock: Symbol.for('cedar-store.Clock'),
  PolicySource: Symbol.for('cedar-store.PolicySource'),
} as const;
