// Shared by the payments tests: reading a PDF's text, and an email's PDF attachment.
import { PDFParse } from 'pdf-parse';
import type { StoredAttachment } from '../../db/schema/index.ts';

export async function pdfText(bytes: Buffer | Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** The text of the email's PDF attachment whose name starts with `prefix`. */
export async function attachedPdfText(attachments: StoredAttachment[], prefix: string): Promise<{ filename: string; text: string }> {
  const file = attachments.find((a) => a.filename.startsWith(prefix) && a.contentType === 'application/pdf');
  if (!file) throw new Error(`No ${prefix} PDF among ${attachments.map((a) => a.filename).join(', ') || 'no attachments'}`);
  return { filename: file.filename, text: await pdfText(Buffer.from(file.content, 'base64')) };
}
