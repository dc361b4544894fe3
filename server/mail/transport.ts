// Where mail goes: an SMTP server when SMTP_URL is set, otherwise .eml files in ./data/outbox
// so that a newcomer can read every message without a mail server.
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface MailTransport {
  /** For the start-up log. */
  description: string;
  send(message: Mail.Options): Promise<void>;
  close(): void;
}

export function smtpTransport(url: string): MailTransport {
  const parsed = new URL(url);
  const transporter = nodemailer.createTransport({
    host: parsed.hostname,
    port: Number(parsed.port) || (parsed.protocol === 'smtps:' ? 465 : 587),
    secure: parsed.protocol === 'smtps:',
    auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
    // A local relay without TLS is normal on small installs and in tests (?ignoreTLS=true);
    // otherwise TLS is used whenever the server offers it.
    ignoreTLS: parsed.searchParams.get('ignoreTLS') === 'true',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    description: `SMTP at ${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)}`,
    async send(message) {
      await transporter.sendMail(message);
    },
    close() {
      transporter.close();
    },
  };
}

export function fileTransport(folder: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  // Files sort in the order they were written, even several in one millisecond (a batch), so
  // "the newest file" is the last message sent.
  let written = 0;
  return {
    description: `.eml files in ${folder}`,
    async send(message) {
      const info = await transporter.sendMail(message);
      await fs.mkdir(folder, { recursive: true });
      const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++written % 1_000_000).padStart(6, '0')}`;
      const id = String(message.messageId ?? 'message').replace(/[^a-zA-Z0-9-]/g, '');
      await fs.writeFile(path.join(folder, `${stamp}-${id}.eml`), info.message as Buffer);
    },
    close() {},
  };
}
