import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources, so `npm test` needs no build first.
// Under CI a JSON report is written too; .ci/run turns it into the closing counts line.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@cedar-store\/domain$/, replacement: src('./libs/domain/src/index.ts') },
      { find: /^@cedar-store\/domain\/day$/, replacement: src('./libs/domain/src/day.ts') },
      { find: /^@cedar-store\/domain\/errors$/, replacement: src('./libs/domain/src/errors.ts') },
      { find: /^@cedar-store\/ports$/, replacement: src('./libs/ports/src/index.ts') },
      { find: /^@cedar-store\/ports\/memory$/, replacement: src('./libs/ports/src/memory/index.ts') },
      { find: /^@cedar-store\/ports\/auth$/, replacement: src('./libs/ports/src/auth/index.ts') },
      { find: /^@cedar-store\/ports\/logging$/, replacement: src('./libs/ports/src/logging/index.ts') },
      { find: /^@cedar-store\/ports\/words$/, replacement: src('./libs/ports/src/words/index.ts') },
      { find: /^@cedar-store\/ports\/constants$/, replacement: src('./libs/ports/src/wire/constants.ts') },
      { find: /^@cedar-store\/ports\/config-check$/, replacement: src('./libs/ports/src/config-check/index.ts') },
      { find: /^@cedar-store\/controller$/, replacement: src('./services/controller/src/index.ts') },
      { find: /^@cedar-store\/device-agent$/, replacement: src('./services/device-agent/src/index.ts') },
    ],
  },
  test: {
    include: ['libs/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    reporters: process.env.CEDAR_TEST_REPORT
      ? ['default', ['json', { outputFile: process.env.CEDAR_TEST_REPORT }]]
      : ['default'],
  },
});
