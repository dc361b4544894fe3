// The one money module: what people type becomes pence, and pence become what pages, forms and
// spreadsheets show, the same way everywhere.
import { describe, expect, it } from 'vitest';
import { formatPence as fromFormat } from '../server/format.ts';
import { poundsText } from '../server/http/form-values.ts';
import { formatPence, formatPrice, formatRate, parsePounds, poundsCell, poundsField } from '../server/money.ts';

describe('money', () => {
  it('reads amounts as typed into pence', () => {
    expect(['12.50', '£12', '1,200', '0.5', '', 'twelve', '1.234'].map(parsePounds)).toEqual([1250, 1200, 120000, 50, null, Number.NaN, Number.NaN]);
  });

  it('shows pence for people, forms and spreadsheets', () => {
    expect([1250, 0, 200000, -200].map(formatPence)).toEqual(['£12.50', '£0', '£2,000', '−£2']);
    expect([formatPrice(0), formatPrice(500)]).toEqual(['Free', '£5']);
    expect([4000, 1250, null].map(poundsField)).toEqual(['40', '12.50', '']);
    expect([4000, 5, -200].map(poundsCell)).toEqual(['40.00', '0.05', '-2.00']);
    expect([formatRate(45), formatRate(120)]).toEqual(['45p', '£1.20']);
  });

  it('is the same function wherever it is imported from', () => {
    expect(fromFormat).toBe(formatPence);
    expect(poundsText).toBe(poundsField);
    for (const pence of [0, 1, 99, 100, 101, 1250, 999999]) expect(parsePounds(poundsField(pence))).toBe(pence);
  });
});
