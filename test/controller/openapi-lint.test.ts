// The controller's OpenAPI document as an API client generator or portal would read it:
// Redocly's recommended rules (servers, license, an operationId, tags and a 4XX answer on
// every operation, no unused components), with no error and no warning.
import { buildOpenApiDocument } from '@cedar-store/controller';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended rules without a problem", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(buildOpenApiDocument()),
      absoluteRef: 'openapi.json',
      config,
    });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`)).toEqual(
      [],
    );
  });

  it('names every operation uniquely and tags it', () => {
    const document = buildOpenApiDocument() as unknown as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
    };
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const operation of operations) expect(operation.tags?.length, operation.operationId).toBe(1);
  });
});
