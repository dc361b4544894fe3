// Money, in one place: every amount is integer pence; this module reads amounts people type and
// writes amounts for pages, emails, form fields and spreadsheets. Nothing else formats pence.

/** Pence from a pounds amount as typed ("12.50", "£12", "1,200"); null when empty; NaN when it cannot be read. */
export function parsePounds(raw: string | undefined): number | null {
  const text = (raw ?? '').trim().replace(/^£/, '').replace(/,/g, '');
  if (text === '') return null;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(text)) return Number.NaN;
  const [pounds, pence = ''] = text.split('.');
  return Number(pounds) * 100 + Number(pence.padEnd(2, '0'));
}

/** 1250 → "£12.50", 0 → "£0", 200000 → "£2,000", −200 → "−£2". An amount of money: never "Free". */
export function formatPence(pence: number | null | undefined): string {
  const value = pence ?? 0;
  const pounds = Math.floor(Math.abs(value) / 100);
  const rest = Math.abs(value) % 100;
  const sign = value < 0 ? '−' : '';
  return `${sign}£${pounds.toLocaleString('en-GB')}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}

/** The price of a place: 0 → "Free" (a free place), otherwise the amount. Only for prices. */
export function formatPrice(pence: number): string {
  return pence === 0 ? 'Free' : formatPence(pence);
}

/** "12.50", "40" for a form field showing pence as pounds again; "" for none. */
export function poundsField(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return '';
  return pence % 100 === 0 ? String(pence / 100) : (pence / 100).toFixed(2);
}

/** "12.50", "-2.00": a plain number a spreadsheet adds up (no £, no thousands separator). */
export function poundsCell(pence: number): string {
  return (pence / 100).toFixed(2);
}

/** "45p" below a pound, else "£1.20": plainer for small rates. */
export function formatRate(pence: number): string {
  return pence < 100 ? `${pence}p` : formatPence(pence);
}
