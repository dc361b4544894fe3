// Who pays an invoice, as the booking form collects it. Every field is optional: the booker's
// own name and address stand in for those left empty. The invoice address given is printed on
// the invoice and shown to organisers, but nothing is emailed to it: only the booker's address
// is proven, so the Hub never sends a document of someone's making to an address they typed.
import type { FieldError } from '../errors.ts';

// The sign-in form's rule for an address's shape; kept here so that accounts, which erases
// payers' details, can use this module without the two importing each other.
const addressShape = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

export interface PayerInput {
  payerName: string;
  payerAddress: string;
  purchaseOrder: string;
  invoiceEmail: string;
}

export const EMPTY_PAYER: PayerInput = { payerName: '', payerAddress: '', purchaseOrder: '', invoiceEmail: '' };

/** The payer fields checked and trimmed, or the problems with them (field names as on the form). */
export function checkPayer(input: Partial<PayerInput> | undefined): { payer: PayerInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const payerName = (input?.payerName ?? '').trim();
  const payerAddress = (input?.payerAddress ?? '').trim().replace(/\r\n?/g, '\n');
  const purchaseOrder = (input?.purchaseOrder ?? '').trim();
  const invoiceEmail = (input?.invoiceEmail ?? '').trim().toLowerCase();
  if (payerName.length > 200) errors.push({ field: 'payerName', message: 'The name to put on the invoice must be 200 characters or fewer' });
  if (payerAddress.length > 500) errors.push({ field: 'payerAddress', message: 'The invoice address must be 500 characters or fewer' });
  if (payerAddress.split('\n').length > 8) errors.push({ field: 'payerAddress', message: 'The invoice address must be 8 lines or fewer' });
  if (purchaseOrder.length > 60) errors.push({ field: 'purchaseOrder', message: 'The purchase order number must be 60 characters or fewer' });
  if (invoiceEmail && (invoiceEmail.length > 320 || !addressShape.test(invoiceEmail))) {
    errors.push({ field: 'invoiceEmail', message: 'Enter the email address for the invoice in the right format, like accounts@example.org' });
  }
  return { payer: { payerName, payerAddress, purchaseOrder, invoiceEmail }, errors };
}
