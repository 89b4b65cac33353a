import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { formatProblem, parseConfigText, schemaProblems } from './yaml-problems.js';

const Schema = z.strictObject({
  database: z.string().min(1),
  auth: z.strictObject({ token: z.string().optional(), tokenFile: z.string().optional() }).default({}),
  agents: z.array(z.strictObject({ id: z.string(), url: z.string(), caFile: z.string().optional() })).min(1),
  devices: z.record(z.string(), z.strictObject({ blankBehavior: z.string().optional() })).default({}),
});

const check = (text: string) => schemaProblems(Schema, parseConfigText(text)).problems;

describe('did you mean', () => {
  it.each([
    ['tokenfile', 'tokenFile'],
    ['tokenFil', 'tokenFile'],
    ['databse', 'database'],
    ['agnets', 'agents'],
  ])('%s -> %s', (typo, meant) => {
    expect(didYouMean(typo, ['token', 'tokenFile', 'database', 'agents'])).toBe(meant);
  });

  it('guesses nothing for a name far from every field', () => {
    expect(didYouMean('colour', ['token', 'tokenFile', 'database'])).toBeUndefined();
  });
});

describe('problems with their lines', () => {
  it('an unknown field, nested and in a list, on its own line with the field meant', () => {
    const text = [
      'database: /var/lib/cedar-store/db.sqlite', // 1
      'auth:', // 2
      '  tokenfile: /etc/cedar-store/api.token', // 3
      'agents:', // 4
      '  - id: burner-1', // 5
      '    url: ws://127.0.0.1:7701/rpc', // 6
      '    cafile: /etc/ca.pem', // 7
      'devices:', // 8
      '  burner-1/dvd0: { blankBehaviour: weekly }', // 9
    ].join('\n');
    expect(check(text).map((problem) => formatProblem('c.yaml', problem))).toEqual([
      'c.yaml:3: auth.tokenfile: unknown field; did you mean tokenFile?',
      'c.yaml:7: agents.0.cafile: unknown field; did you mean caFile?',
      'c.yaml:9: devices.burner-1/dvd0.blankBehaviour: unknown field; did you mean blankBehavior?',
    ]);
  });

  it('a wrong value on its line; a missing field on the line of what should hold it', () => {
    const text = ['database: ""', 'agents:', '  - id: a', '    url: 7'].join('\n');
    const problems = check(text);
    expect(problems.map((problem) => [problem.line, problem.path])).toEqual([
      [1, 'database'],
      [4, 'agents.0.url'],
    ]);
    expect(check('database: /x\n').map((problem) => [problem.line, problem.path])).toEqual([[1, 'agents']]);
  });

  it('broken YAML is reported with its line, and nothing else is judged', () => {
    const problems = check('database: /x\nagents:\n  - id: a\n - url: b\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4, path: '(yaml)' });
    const duplicate = check('database: /x\ndatabase: /y\n');
    expect(duplicate[0]).toMatchObject({ line: 2, message: expect.stringContaining('unique') });
  });
});
