// The certificate as a PDF, drawn on the shared page set-up in ../pdf.ts.
import { renderPdf } from '../pdf.ts';
import type { CertificateFacts } from './service.ts';

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
