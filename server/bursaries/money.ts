// Amounts typed by people ("12.50", "£12", "1,200") to integer pence, and settings in one place.
import type { Config } from '../config.ts';

/** Pence from a pounds amount as typed, or null if it is empty; NaN if it cannot be read. */
export function parsePounds(raw: string | undefined): number | null {
  const text = (raw ?? '').trim().replace(/^£/, '').replace(/,/g, '');
  if (text === '') return null;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(text)) return Number.NaN;
  const [pounds, pence = ''] = text.split('.');
  return Number(pounds) * 100 + Number(pence.padEnd(2, '0'));
}

/** "12.50" for a form field showing pence as pounds again. */
export function poundsField(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return '';
  return (pence / 100).toFixed(2).replace(/\.00$/, '');
}

/** The Hub's bursary settings: mileage rate, receipt threshold and retention, from config. */
export interface BursarySettings {
  mileagePencePerMile: number;
  receiptThresholdPence: number;
  retentionMonths: number;
}

export function bursarySettings(config: Config): BursarySettings {
  return {
    mileagePencePerMile: config.bursaryMileagePencePerMile,
    receiptThresholdPence: config.bursaryReceiptThresholdPence,
    retentionMonths: config.bursaryRetentionMonths,
  };
}
