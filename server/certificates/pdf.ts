// The certificate as a PDF, made with PDFKit. The DejaVu fonts are embedded (subset), so the
// certificate looks the same everywhere and any name prints, accents and all. The PDF is tagged
// with its language and title for screen readers.
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { CertificateFacts } from './service.ts';

const require = createRequire(import.meta.url);
const fontFolder = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(fontFolder, 'DejaVuSans.ttf');
const BOLD = path.join(fontFolder, 'DejaVuSans-Bold.ttf');

/** Renders one page, landscape A4. Deterministic apart from the creation date. */
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

export function certificatePdf(facts: CertificateFacts): Promise<Buffer> {
  return renderPdf(`Certificate of attendance: ${facts.eventTitle}`, (doc) => {
    const width = doc.page.width - 112;
    doc
      .lineWidth(3)
      .strokeColor('#1d4f5c')
      .rect(28, 28, doc.page.width - 56, doc.page.height - 56)
      .stroke();
    doc.font('Bold').fontSize(14).fillColor('#1d4f5c').text('Social Perspectives Hub', 56, 64, { width, align: 'center' });
    doc.moveDown(1.2).font('Bold').fontSize(30).fillColor('#0b0c0c').text('Certificate of attendance', { width, align: 'center' });
    doc.moveDown(0.8).font('Body').fontSize(14).text('This certifies that', { width, align: 'center' });
    doc.moveDown(0.4).font('Bold').fontSize(26).text(facts.name, { width, align: 'center' });
    doc.moveDown(0.4).font('Body').fontSize(14).text('attended', { width, align: 'center' });
    doc.moveDown(0.4).font('Bold').fontSize(20).text(facts.eventTitle, { width, align: 'center' });
    doc.moveDown(0.4).font('Body').fontSize(14).text(facts.date, { width, align: 'center' });
    if (facts.hours) doc.moveDown(0.6).text(`Hours of learning (CPD): ${facts.hours}`, { width, align: 'center' });
    for (const session of facts.sessions) doc.fontSize(11).text(`${session.title}: ${session.hours}`, { width, align: 'center' });
    doc.moveDown(0.6).fontSize(12).text(`Organised by ${facts.organisers}.`, { width, align: 'center' });
    doc.font('Body').fontSize(10).fillColor('#505a5f');
    doc.text(`Verification code: ${facts.code}`, 56, doc.page.height - 112, { width, align: 'center' });
    doc.text(`Anyone can check this certificate at ${facts.verifyUrl}`, { width, align: 'center' });
  });
}
