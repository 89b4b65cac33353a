// bench/lib/bin-line.mjs: the one reading of a bin's first line, shared by the bench and the packaging tests.
import { describe, expect, it } from 'vitest';
import { parseBinLine } from '../../bench/lib/bin-line.mjs';

describe('parseBinLine', () => {
  it.each([
    {
      what: "the agent's line",
      line: '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4',
      env: { MALLOC_ARENA_MAX: '2' },
      flags: ['--max-semi-space-size=4'],
    },
    {
      what: 'several of each, a value with "=" in it',
      line: '#!/usr/bin/env -S A=1 NODE_OPTIONS=--x=y node --one --two=2',
      env: { A: '1', NODE_OPTIONS: '--x=y' },
      flags: ['--one', '--two=2'],
    },
    {
      what: 'flags without an environment',
      line: '#!/usr/bin/env -S node --max-old-space-size=256',
      env: {},
      flags: ['--max-old-space-size=256'],
    },
    {
      what: 'an environment without flags',
      line: '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node',
      env: { MALLOC_ARENA_MAX: '2' },
      flags: [],
    },
    {
      what: "the controller's line: node alone",
      line: '#!/usr/bin/env node',
      env: {},
      flags: [],
    },
    {
      what: 'a line read from a file with CRLF line ends',
      line: '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4\r',
      env: { MALLOC_ARENA_MAX: '2' },
      flags: ['--max-semi-space-size=4'],
    },
  ])('$what', ({ line, env, flags }) => {
    expect(parseBinLine(line)).toEqual({ env, flags });
  });

  it.each([
    ['a shell script', '#!/bin/sh'],
    ['another program named like node', '#!/usr/bin/env -S NAME=1 nodejs --flag'],
    ['code, not a #! line', "import { main } from './main.js';"],
    ['an empty file', ''],
  ])('%s: nothing', (_what, line) => {
    expect(parseBinLine(line)).toEqual({ env: {}, flags: [] });
  });
});
