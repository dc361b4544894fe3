// PDFs made with PDFKit (certificates, letters, invoices, credit notes). The DejaVu fonts are
// embedded (subset), so a document looks the same everywhere and any name prints, accents and
// all; 'Body' and 'Bold' are registered on every document. PDFs are tagged with their language
// and title for screen readers.
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
const fontFolder = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(fontFolder, 'DejaVuSans.ttf');
const BOLD = path.join(fontFolder, 'DejaVuSans-Bold.ttf');

/** Renders a document, A4 (landscape unless asked). Deterministic apart from the creation date. */
export function renderPdf(title: string, draw: (doc: PDFKit.PDFDocument) => void, layout: 'landscape' | 'portrait' = 'landscape'): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout,
    margin: 56,
    lang: 'en-GB',
    tagged: true,
    displayTitle: true,
    info: { Title: title, Author: 'Social Perspectives Hub' },
  });
  doc.registerFont('Body', REGULAR);
  doc.registerFont('Bold', BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc);
  doc.end();
  return done;
}
