// Amounts people type ("12.50", "£12", "1,200") read into integer pence, in one place for every
// form that takes money: ticket prices, proposal budgets, bursary estimates, claims and payments.

/** Pence from a pounds amount as typed; null when empty; NaN when it cannot be read. */
export function parsePounds(raw: string | undefined): number | null {
  const text = (raw ?? '').trim().replace(/^£/, '').replace(/,/g, '');
  if (text === '') return null;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(text)) return Number.NaN;
  const [pounds, pence = ''] = text.split('.');
  return Number(pounds) * 100 + Number(pence.padEnd(2, '0'));
}
