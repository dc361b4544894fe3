// View models for invoices and credit notes: a booking's documents and an event's invoice list.
import type { DocumentListItem } from './service.ts';
import { formatDate } from '../format.ts';
import { formatPence } from '../money.ts';

/** A document's file name in download addresses: "invoice-INV-00001.pdf". */
export function documentFile(item: { kind: 'invoice' | 'credit_note'; numberText: string }): string {
  return `${item.kind === 'invoice' ? 'invoice' : 'credit-note'}-${item.numberText}.pdf`;
}

/** A booking's invoices and credit notes, for its manage page (links under `base`). */
export function bookingDocuments(items: DocumentListItem[], base: string) {
  return items.map((item) => ({
    label: `${item.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${item.numberText}`,
    detail: `${formatPence(item.amountPence)}, ${item.note.toLowerCase()}`,
    href: `${base}/documents/${documentFile(item)}`,
  }));
}

export function invoiceListModel(event: { title: string; slug: string }, items: DocumentListItem[]) {
  const base = `/organise/events/${event.slug}`;
  return {
    title: `Invoices: ${event.title}`,
    eventTitle: event.title,
    base,
    rows: items.map((item) => ({
      kind: item.kind === 'invoice' ? 'Invoice' : 'Credit note',
      numberText: item.numberText,
      href: `${base}/invoices/${documentFile(item)}`,
      issued: formatDate(item.issuedAt),
      due: item.dueAt ? formatDate(item.dueAt) : '',
      amount: formatPence(item.amountPence),
      note: item.note,
      payer: item.payerName,
      purchaseOrder: item.purchaseOrder,
      invoiceEmail: item.invoiceEmail,
    })),
  };
}
