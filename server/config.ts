// Configuration comes from the environment once, at start, and is validated here so that a
// bad variable stops the server with a message naming it rather than failing later.
import net from 'node:net';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** The address people reach the site on; used in emails, feeds and cookie security. */
  baseUrl: string;
  /** postgres:// URL of a real server, or null for the embedded PGlite database. */
  databaseUrl: string | null;
  /** Folder for the embedded database, the .eml outbox and other local files. */
  dataDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** Where people write to the Hub (the contact and accessibility pages); MAIL_FROM's address unless set. */
  contactEmail: string;
  adminEmails: string[];
  seedDemo: boolean;
  logLevel: string;
  /** How often the outbox sender looks for mail, in ms; 0 turns the loop off (tests drive it). */
  outboxIntervalMs: number;
  /** Requests per minute per IP address across the site (a coarse guard; sign-in has its own). */
  rateLimitPerMinute: number;
  /** Posts per minute per IP address to the public forms that send email (sign-in, booking). */
  formRateLimitPerMinute: number;
  /** Emails to other people that one account's actions may send per day (server/mail/budget.ts). */
  mailBudgetPerDay: number;
  stripeSecretKey: string | null;
  stripeWebhookSecret: string | null;
  /** Where the Stripe client connects; only set for a local stand-in in tests. */
  stripeApiBase: string | null;
  /** A session ends this many days after signing in, however often it is used. */
  sessionMaxAgeDays: number;
  /** Longest a request may take to arrive, headers and body, in ms (a slow sender is cut off). */
  requestTimeoutMs: number;
  /** Longest a request's headers may take to arrive, in ms; at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests, in ms. */
  keepAliveTimeoutMs: number;
  /** How long anonymous public pages and feeds may be served from a process's page cache; 0 turns it off. */
  pageCacheSeconds: number;
  /** Cache compiled templates; turn off while editing views. */
  viewCache: boolean;
  /**
   * Which proxies in front may say who the client is (X-Forwarded-For), as Fastify's trustProxy:
   * false (none), a number of hops, or the proxies' addresses and CIDR ranges. Never "every hop",
   * which would let a client choose its own address and reset every per-IP limit.
   */
  trustProxy: false | number | string[];
  /** Bursaries: the Hub's car mileage rate, in pence per mile. */
  bursaryMileagePencePerMile: number;
  /** Bursaries: claimed items under this many pence need no receipt (mileage never does). */
  bursaryReceiptThresholdPence: number;
  /** Bursaries: an overpayment still owed below this many pence is offered for write-off by default. */
  bursaryWriteOffBelowPence: number;
  /** Bursaries: personal details are erased this many months after the last payment. */
  bursaryRetentionMonths: number;
  /**
   * 32-byte key that seals the private links (sign-in, manage a booking) in queued emails, so a
   * copy of the database holds none that work. Null: the mail plugin keeps one in DATA_DIR.
   */
  outboxKey: Buffer | null;
  /** Sent (and failed) emails are deleted from the outbox this many days after they were sent or given up. */
  outboxRetentionDays: number;
  /** Booking answers and planners' perspectives are erased this many months after the event. */
  eventDataRetentionMonths: number;
  /** Certificates of attendance are deleted this many months after their event (the code then stops verifying). */
  certificateRetentionMonths: number;
  /** Full financial years (to 31 March) an invoice's payer details are kept after its last entry (HMRC: 6). */
  invoiceRetentionYears: number;
  /**
   * Keys that encrypt bank details at rest (AES-256-GCM), newest first: the first encrypts, the
   * others only open rows not yet re-encrypted. Null: the bursary plugin keeps one in DATA_DIR.
   */
  dataKeys: DataKey[] | null;
  /** A booking's manage link stops working this many days after its event ends. */
  manageLinkDaysAfterEvent: number;
  /** Invoice mode: payment terms, reminder, and when an unpaid invoice's place is released (server/invoices/terms.ts). */
  invoicePaymentDays: number;
  invoiceReminderDaysBefore: number;
  invoiceReleaseDaysAfterDue: number;
  invoiceWarningDaysBefore: number;
  /** How to pay, printed on every invoice. */
  invoicePaymentInstructions: string;
  /** Bookings asked for without a proven address (each emails a confirmation link) one IP may make in an hour. */
  bookingRequestsPerIpPerHour: number;
  /** Codes for reserved places one IP may try in an hour (registration/reserved-places.ts). */
  reservedCodeTriesPerIpPerHour: number;
  /** Copies of an announcement the outbox sends a minute (they are queued spaced to this). */
  listSendPerMinute: number;
  /** Sign-in links one client (an IPv4 address or IPv6 /64) may ask for in 15 minutes. */
  signInLinksPerIp: number;
}

/** One data key and the id stored with each ciphertext it made. */
export interface DataKey {
  id: string;
  key: Buffer;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (it is "${raw}")`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1 or 0 (it is "${raw}")`);
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** 32 bytes as 64 hex digits or base64 (either alphabet). */
function key(env: Env, name: string): Buffer | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw, 'base64url') : null;
  if (bytes?.length !== 32) throw new ConfigError(`${name} must be 32 random bytes as 64 hex digits or base64 (make one with: openssl rand -hex 32)`);
  return bytes;
}

/** DATA_KEY: "id:key" pairs, comma-separated, newest first; a lone key has the id "1". */
export function dataKeys(raw: string | undefined, name = 'DATA_KEY'): DataKey[] | null {
  const value = raw?.trim();
  if (!value) return null;
  const keys = value.split(',').map((part, i) => {
    const [id, secret] = part.includes(':') ? part.trim().split(':', 2) : ['1', part.trim()];
    if (!id || !/^[A-Za-z0-9_-]{1,20}$/.test(id))
      throw new ConfigError(`${name} entry ${i + 1} needs an id of letters or digits before its colon, like 2:<key>`);
    return { id, key: key({ [name]: secret }, name)! };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new ConfigError(`${name} names the same key id twice`);
  return keys;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isAddressOrRange(value: string): boolean {
  const [address = '', bits, ...rest] = value.split('/');
  const version = net.isIP(address);
  if (!version || rest.length) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: how many proxies in front of Convene add to X-Forwarded-For (1 behind one load
 * balancer), or their addresses. "1" was once a yes/no switch that trusted every hop; it now
 * means one hop, which is what a site behind one load balancer meant by it.
 */
export function trustProxy(raw: string | undefined): false | number | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError(`TRUST_PROXY must be the number of proxies in front of Convene, from 0 to 10 (it is "${raw}")`);
    return hops;
  }
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) {
    throw new ConfigError(
      'TRUST_PROXY no longer accepts "true", which trusted every hop and let anyone choose their own address: give the number of proxies in front of Convene (usually 1) or their addresses',
    );
  }
  const ranges = value.split(',').map((part) => part.trim());
  const wrong = ranges.find((part) => !isAddressOrRange(part));
  if (wrong !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be a number of proxies or a comma-separated list of their IP addresses or CIDR ranges ("${wrong ?? raw}" is neither)`,
    );
  }
  return ranges;
}

/** How long a settled bursary application is kept, in months, unless BURSARY_RETENTION_MONTHS says. */
export const DEFAULT_BURSARY_RETENTION_MONTHS = 12;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || 'localhost';
  const baseUrl = (url(env, 'BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const adminEmails = (env.ADMIN_EMAILS ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const email of adminEmails) {
    if (!emailPattern.test(email)) throw new ConfigError(`ADMIN_EMAILS has an address that is not valid: "${email}"`);
  }
  const mailFrom = env.MAIL_FROM || 'Social Perspectives Hub <hub@example.org>';
  const contactEmail = (env.CONTACT_EMAIL || /<([^>]+)>/.exec(mailFrom)?.[1] || mailFrom).trim();
  if (!emailPattern.test(contactEmail)) throw new ConfigError(`CONTACT_EMAIL is not a valid address: "${contactEmail}"`);
  const stripeSecretKey = env.STRIPE_SECRET_KEY || null;
  const stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET || null;
  if (Boolean(stripeSecretKey) !== Boolean(stripeWebhookSecret)) {
    throw new ConfigError('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together');
  }
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', Math.min(20_000, requestTimeoutMs), 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be more than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const outboxKey = key(env, 'OUTBOX_KEY');
  // With a database server there may be several processes, and each must open what another sealed.
  if (databaseUrl && !outboxKey)
    throw new ConfigError('OUTBOX_KEY must be set when DATABASE_URL is set (the same key in every process; make one with: openssl rand -hex 32)');
  const dataKeyList = dataKeys(env.DATA_KEY);
  // Bank details are encrypted with it: every process must open what another wrote.
  if (databaseUrl && !dataKeyList)
    throw new ConfigError(
      'DATA_KEY must be set when DATABASE_URL is set: it encrypts bank details (the same key in every process; make one with: openssl rand -hex 32)',
    );
  return {
    port,
    host,
    baseUrl,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    contactEmail,
    adminEmails,
    seedDemo: flag(env, 'SEED_DEMO', true),
    logLevel: env.LOG_LEVEL || 'info',
    outboxIntervalMs: integer(env, 'OUTBOX_INTERVAL_MS', 2000, 0, 3_600_000),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
    formRateLimitPerMinute: integer(env, 'FORM_RATE_LIMIT_PER_MINUTE', 60, 1, 10_000_000),
    mailBudgetPerDay: integer(env, 'MAIL_BUDGET_PER_DAY', 50, 1, 100_000),
    stripeSecretKey,
    stripeWebhookSecret,
    stripeApiBase: url(env, 'STRIPE_API_BASE', ['http:', 'https:']),
    viewCache: flag(env, 'VIEW_CACHE', true),
    pageCacheSeconds: integer(env, 'PAGE_CACHE_SECONDS', 5, 0, 3600),
    sessionMaxAgeDays: integer(env, 'SESSION_MAX_AGE_DAYS', 90, 1, 3650),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    bursaryMileagePencePerMile: integer(env, 'BURSARY_MILEAGE_PENCE_PER_MILE', 45, 0, 1000),
    bursaryReceiptThresholdPence: integer(env, 'BURSARY_RECEIPT_THRESHOLD_PENCE', 1000, 0, 1_000_000),
    bursaryWriteOffBelowPence: integer(env, 'BURSARY_WRITE_OFF_BELOW_PENCE', 500, 0, 1_000_000),
    bursaryRetentionMonths: integer(env, 'BURSARY_RETENTION_MONTHS', DEFAULT_BURSARY_RETENTION_MONTHS, 1, 120),
    outboxKey,
    outboxRetentionDays: integer(env, 'OUTBOX_RETENTION_DAYS', 30, 1, 3650),
    eventDataRetentionMonths: integer(env, 'EVENT_DATA_RETENTION_MONTHS', 6, 1, 120),
    certificateRetentionMonths: integer(env, 'CERTIFICATE_RETENTION_MONTHS', 72, 1, 600),
    invoiceRetentionYears: integer(env, 'INVOICE_RETENTION_YEARS', 6, 1, 20),
    dataKeys: dataKeyList,
    manageLinkDaysAfterEvent: integer(env, 'MANAGE_LINK_DAYS_AFTER_EVENT', 30, 1, 3650),
    invoicePaymentDays: integer(env, 'INVOICE_PAYMENT_DAYS', 14, 0, 365),
    invoiceReminderDaysBefore: integer(env, 'INVOICE_REMINDER_DAYS_BEFORE', 3, 0, 365),
    invoiceReleaseDaysAfterDue: integer(env, 'INVOICE_RELEASE_DAYS_AFTER_DUE', 7, 0, 365),
    invoiceWarningDaysBefore: integer(env, 'INVOICE_WARNING_DAYS_BEFORE', 2, 0, 365),
    invoicePaymentInstructions:
      env.INVOICE_PAYMENT_INSTRUCTIONS?.trim() ||
      'Please pay by bank transfer, quoting the invoice number. For our bank details, reply to the email this invoice came with.',
    bookingRequestsPerIpPerHour: integer(env, 'BOOKING_REQUESTS_PER_IP_PER_HOUR', 20, 1, 10_000_000),
    reservedCodeTriesPerIpPerHour: integer(env, 'RESERVED_CODE_TRIES_PER_IP_PER_HOUR', 10, 1, 10_000_000),
    listSendPerMinute: integer(env, 'LIST_SEND_PER_MINUTE', 60, 1, 100_000),
    signInLinksPerIp: integer(env, 'SIGN_IN_LINKS_PER_IP', 30, 1, 10_000_000),
  };
}

/** Cookies are marked Secure whenever the site is served over HTTPS. */
export function isHttps(config: Config): boolean {
  return config.baseUrl.startsWith('https:');
}
