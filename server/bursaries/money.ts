// Pence shown as pounds again in bursary forms, and the Hub's bursary settings in one place.
import type { Config } from '../config.ts';

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
