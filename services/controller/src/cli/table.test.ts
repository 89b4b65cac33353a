import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and trims trailing spaces', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'BYTES', align: 'right' }, { header: 'NOTE' }],
      [
        ['a', '1 B', ''],
        ['longer', '700 MiB', 'x'],
      ],
    );
    expect(text.split('\n')).toEqual(['NAME      BYTES  NOTE', 'a           1 B', 'longer  700 MiB  x']);
  });

  it('keeps a message with newlines or escapes on its row', () => {
    expect(renderTable([{ header: 'A' }], [['one\ntwo\u001b[2J']])).toBe('A\none two [2J');
  });
});
