// Spreadsheet exports: a byte-order mark so Excel reads UTF-8, formulas neutralised, numbers kept.
import { describe, expect, it } from 'vitest';
import { safeCell, spreadsheetCsv } from '../server/http/csv.ts';

describe('spreadsheet CSV', () => {
  it('starts with a byte-order mark and keeps £ and accents', () => {
    const csv = spreadsheetCsv(
      ['Name', 'Paid'],
      [
        ['Zoë', '£12'],
        ['Ann', true],
      ],
    );
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.slice(1).split('\n').filter(Boolean)).toEqual(['Name,Paid', 'Zoë,£12', 'Ann,Yes']);
  });

  it('neutralises cells a spreadsheet would run, but not plain numbers', () => {
    expect(['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '-2.00', '12.50', 'plain'].map(safeCell)).toEqual([
      `'=HYPERLINK("x")`,
      "'+1+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      '-2.00',
      '12.50',
      'plain',
    ]);
    expect(spreadsheetCsv(['Event'], [['=cmd|calc']])).toContain(`'=cmd|calc`);
  });
});
