import { describe, expect, it } from 'vitest';
import { AdminUsageError } from '../../../src/admin/admin-error.js';
import { boolOption, intOption, timeOption } from '../../../src/admin/option-values.js';
import { formatKeyValues, formatTable } from '../../../src/admin/table.js';

describe('admin output and options', () => {
  it('aligns table columns on the widest cell, without trailing spaces', () => {
    expect(
      formatTable(
        ['#A', '#Longer'],
        [
          ['x', 1],
          ['wide cell', undefined],
        ],
      ),
    ).toBe(['#A         #Longer', 'x          1', 'wide cell'].join('\n'));
    expect(
      formatKeyValues([
        ['k', 1],
        ['longer', 'v'],
      ]),
    ).toBe('k       : 1\nlonger  : v');
  });

  it('reads integers, booleans and mqadmin times, naming the flag when one is wrong', () => {
    expect(intOption({ n: '12' }, 'n', 0)).toBe(12);
    expect(intOption({}, 'n', 8)).toBe(8);
    expect(() => intOption({ n: '1.5' }, 'n', 0)).toThrow(AdminUsageError);
    expect(() => intOption({ n: '0' }, 'n', 0, 1)).toThrow('--n: expected an integer of at least 1, got "0"');
    expect(boolOption({ b: 'false' }, 'b', true)).toBe(false);
    expect(boolOption({ b: true }, 'b', false)).toBe(true);
    expect(() => boolOption({ b: 'yes' }, 'b', false)).toThrow('--b: expected true or false');
    expect(timeOption({ s: 'now' }, 's', 42)).toBe(42);
    expect(timeOption({ s: '1700000000000' }, 's', 0)).toBe(1700000000000);
    expect(timeOption({ s: '2024-03-05#06:07:08:009' }, 's', 0)).toBe(
      new Date(2024, 2, 5, 6, 7, 8, 9).getTime(),
    );
    expect(timeOption({}, 's', 0)).toBeUndefined();
    expect(() => timeOption({ s: 'yesterday' }, 's', 0)).toThrow(AdminUsageError);
  });
});
