/**
 * The dependency rules of docs/design.md#layers-and-the-dependency-rule, checked by
 * `npm run lint` (depcruise): dependencies point inward (services -> ports -> domain), the two
 * services meet only through libs/ports, and no folder imports a folder that imports it back.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing',
      comment: 'libs/domain is pure: no Node built-ins, no packages, nothing outside itself.',
      severity: 'error',
      from: { path: '^libs/domain/src' },
      to: { pathNot: '^libs/domain/src' },
    },
    {
      name: 'ports-import-only-the-domain',
      comment: 'libs/ports may use the domain and its own packages, never a service.',
      severity: 'error',
      from: { path: '^libs/ports/src' },
      to: { path: '^(services|test|deploy|scripts|bench)/' },
    },
    {
      name: 'services-never-import-each-other',
      comment: 'The controller and the agent meet only through libs/ports and the wire.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'persistence-never-imports-runs',
      comment: 'SQL adapters implement ports; the run logic they serve lives elsewhere.',
      severity: 'error',
      from: { path: '^services/controller/src/persistence/' },
      to: { path: '^services/controller/src/runs/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'A folder that imports another folder is not imported back by it, even through others.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(libs|services)/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: { path: '^(libs|services)/[^/]+/src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|/testing/|/memory/|/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'] },
  },
};
