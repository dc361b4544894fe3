// The Hub's bursary settings in one place (amounts themselves are formatted by server/money.ts).
import type { Config } from '../config.ts';

/** The Hub's bursary settings: mileage rate, receipt threshold, write-off offer and retention, from config. */
export interface BursarySettings {
  mileagePencePerMile: number;
  receiptThresholdPence: number;
  /** Overpayments still owed below this are offered for write-off by default. */
  writeOffBelowPence?: number;
  retentionMonths: number;
}

export function bursarySettings(config: Config): BursarySettings {
  return {
    mileagePencePerMile: config.bursaryMileagePencePerMile,
    receiptThresholdPence: config.bursaryReceiptThresholdPence,
    writeOffBelowPence: config.bursaryWriteOffBelowPence,
    retentionMonths: config.bursaryRetentionMonths,
  };
}
