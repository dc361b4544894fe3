// An invoice and a credit note as PDFs, drawn on the shared page set-up (../pdf.ts). What is
// printed comes from the stored row alone, so a document downloaded later is the one emailed.
import { formatDate } from '../format.ts';
import { formatPence } from '../money.ts';
import { renderPdf } from '../pdf.ts';

export interface InvoiceFacts {
  numberText: string;
  issuedAt: Date;
  dueAt: Date;
  payerName: string;
  payerAddress: string;
  purchaseOrder: string;
  invoiceEmail: string;
  description: string;
  amountPence: number;
  paymentInstructions: string;
}

export interface CreditNoteFacts {
  numberText: string;
  invoiceNumberText: string;
  issuedAt: Date;
  payerName: string;
  payerAddress: string;
  description: string;
  amountPence: number;
  reason: string;
  refundDuePence: number;
}

const ISSUER = 'Social Perspectives Hub';
const INK = '#0b0c0c';
const QUIET = '#505a5f';

function heading(doc: PDFKit.PDFDocument, title: string, numberText: string) {
  doc.font('Bold').fontSize(12).fillColor('#1d4f5c').text(ISSUER);
  doc.moveDown(1).font('Bold').fontSize(24).fillColor(INK).text(title);
  doc.moveDown(0.2).font('Body').fontSize(12).text(`Number: ${numberText}`);
}

function facts(doc: PDFKit.PDFDocument, rows: [string, string][]) {
  doc.moveDown(0.6).fontSize(11);
  for (const [label, value] of rows) {
    if (!value) continue;
    doc.font('Bold').text(`${label}: `, { continued: true }).font('Body').text(value);
  }
}

function billedTo(doc: PDFKit.PDFDocument, name: string, address: string) {
  doc.moveDown(1).font('Bold').fontSize(11).text('Billed to');
  doc.font('Body').text(name);
  if (address) doc.text(address);
}

function line(doc: PDFKit.PDFDocument, description: string, amountPence: number, totalLabel: string) {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.moveDown(1.2);
  const top = doc.y;
  doc
    .font('Bold')
    .fontSize(11)
    .text('Description', left, top, { width: width - 120 });
  doc.text('Amount', left + width - 110, top, { width: 110, align: 'right' });
  doc
    .moveTo(left, doc.y + 4)
    .lineTo(left + width, doc.y + 4)
    .strokeColor(QUIET)
    .lineWidth(0.5)
    .stroke();
  doc.moveDown(0.6);
  const row = doc.y;
  doc.font('Body').text(description, left, row, { width: width - 120 });
  const after = doc.y;
  doc.text(formatPence(amountPence), left + width - 110, row, { width: 110, align: 'right' });
  doc.y = Math.max(after, doc.y);
  doc.moveDown(0.6);
  const total = doc.y;
  doc.font('Bold').text(totalLabel, left, total, { width: width - 120 });
  doc.text(formatPence(amountPence), left + width - 110, total, { width: 110, align: 'right' });
  doc.x = left;
  doc.font('Body').fontSize(10).fillColor(QUIET).moveDown(0.4).text('No VAT is charged.', left);
  doc.fillColor(INK);
}

export function invoicePdf(f: InvoiceFacts): Promise<Buffer> {
  return renderPdf(
    `Invoice ${f.numberText}`,
    (doc) => {
      heading(doc, 'Invoice', f.numberText);
      facts(doc, [
        ['Date of issue', formatDate(f.issuedAt)],
        ['Payment due by', formatDate(f.dueAt)],
        ['Purchase order', f.purchaseOrder],
        ['Invoice contact', f.invoiceEmail],
      ]);
      billedTo(doc, f.payerName, f.payerAddress);
      line(doc, f.description, f.amountPence, 'Total due');
      doc.moveDown(1.2).font('Bold').fontSize(11).text('How to pay');
      doc.font('Body').text(f.paymentInstructions);
      doc.moveDown(0.4).text(`Please quote ${f.numberText} with your payment.`);
    },
    'portrait',
  );
}

export function creditNotePdf(f: CreditNoteFacts): Promise<Buffer> {
  return renderPdf(
    `Credit note ${f.numberText}`,
    (doc) => {
      heading(doc, 'Credit note', f.numberText);
      facts(doc, [
        ['Date of issue', formatDate(f.issuedAt)],
        ['Cancels invoice', f.invoiceNumberText],
        ['Reason', f.reason],
      ]);
      billedTo(doc, f.payerName, f.payerAddress);
      line(doc, f.description, f.amountPence, 'Total credited');
      doc.moveDown(1.2).font('Body').fontSize(11);
      doc.text(
        f.refundDuePence > 0
          ? `The invoice had been paid: the Hub will pay back ${formatPence(f.refundDuePence)}.`
          : `The invoice had not been paid: nothing is owed on ${f.invoiceNumberText}.`,
      );
    },
    'portrait',
  );
}
