// The readable summary of a person's data, built from the same object as the JSON file: every
// section becomes headings, summary lists and tables in plain words, times in Europe/London and
// money in pounds, so the templates only display.
import { paymentMethodLabels, paymentStatusLabels } from '../registration/booking-state.ts';
import { categoryLabels, claimStatusLabels, perspectiveLabels as bursaryPerspectiveLabels, statusLabels as bursaryStatusLabels } from '../bursaries/labels.ts';
import { eventFormatLabels, eventTypeLabels } from '../event-labels.ts';
import { formatDate, formatDateTime, formatPence, formatPrice } from '../format.ts';
import { involvementActivityLabels, involvementChoiceLabels, perspectiveLabels as plannerPerspectiveLabels, planningRoleLabels } from '../planning/labels.ts';
import { entryLabels, proposalStatusLabels } from '../proposals/labels.ts';
import { perspectiveLabels as bookingPerspectiveLabels, statusLabels as bookingStatusLabels } from '../registration/view-models.ts';
import type { PersonExport, Who } from './export.ts';

export interface SummaryRow {
  key: string;
  value: string;
  /** A link for the value (a receipt to download), only on the page shown on the site. */
  href?: string;
}
export type Block = { kind: 'list'; heading: string; rows: SummaryRow[] } | { kind: 'table'; heading: string; head: string[]; rows: string[][] };
export interface Section {
  id: string;
  heading: string;
  intro: string;
  /** Said when there is nothing in this section. */
  empty: string;
  blocks: Block[];
}
export interface ExportView {
  generatedAt: string;
  sections: Section[];
}

const when = (iso: string | null, none = '—') => (iso ? formatDateTime(new Date(iso)) : none);
const day = (isoDate: string | null) => (isoDate ? formatDate(new Date(`${isoDate}T12:00:00Z`)) : '—');
const money = (pence: number | null) => (pence === null ? '—' : pence === 0 ? '£0' : formatPence(pence));
const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
const text = (value: string | null | undefined) => (value?.trim() ? value : '—');
const whoLabel: Record<Who, string> = { you: 'You', 'someone else': 'Someone else', 'the system': 'Convene (automatically)' };
const label = (labels: Record<string, string>, value: string | null) => (value ? (labels[value] ?? value) : '—');

const siteRoleLabels: Record<string, string> = { admin: 'Admin', organiser: 'Organiser (steering group)' };
const memberStatusLabels: Record<string, string> = { invited: 'Invited', accepted: 'Accepted', declined: 'Declined' };
const bursaryPaymentMethodLabels: Record<string, string> = { bank_transfer: 'Bank transfer', other: 'Another way' };
const bursaryPaymentKindLabels: Record<string, string> = {
  advance: 'Paid in advance',
  settlement: 'Paid after the claim',
  repaid: 'You paid back',
  written_off: 'Written off by the Hub',
};
const emailStatusLabels: Record<string, string> = { queued: 'Waiting to be sent', sent: 'Sent', failed: 'Could not be delivered' };

/** Audit actions on a bursary application, in the applicant's words. */
const bursaryActionLabels: Record<string, string> = {
  'bursary.application.viewed': 'Opened the application',
  'bursary.bank_details.viewed': 'Opened your bank details to pay you',
  'bursary.receipt.downloaded': 'Downloaded a receipt',
  'bursary.receipt.uploaded': 'Uploaded a receipt',
  'bursary.application.started': 'Started the application',
  'bursary.application.saved': 'Saved changes',
  'bursary.application.submitted': 'Sent the application',
  'bursary.application.withdrawn': 'Withdrew the application',
  'bursary.application.approved': 'Approved the application',
  'bursary.application.part_approved': 'Partly approved the application',
  'bursary.application.declined': 'Did not approve the application',
  'bursary.application.deleted': 'Deleted the draft',
  'bursary.claim.submitted': 'Sent the claim',
  'bursary.claim.approved': 'Approved the claim',
  'bursary.payment.advance': 'Recorded a payment in advance',
  'bursary.payment.settlement': 'Recorded a payment',
  'bursary.application.closed': 'Closed the application',
};

/** "bursary.application.viewed" → "bursary application viewed" */
function words(code: string): string {
  return code.replace(/[._]/g, ' ');
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024).toLocaleString('en-GB')} KB`;
}

export function exportView(data: PersonExport, options: { receiptLinks: boolean }): ExportView {
  const p = data.person;
  const sections: Section[] = [
    {
      id: 'account',
      heading: 'Your account',
      intro: 'The details you gave us and the roles you have on the site.',
      empty: '',
      blocks: [
        {
          kind: 'list',
          heading: 'Your details',
          rows: [
            { key: 'Email address', value: p.email },
            { key: 'Name', value: text(p.displayName) },
            { key: 'Pronouns', value: text(p.pronouns) },
            {
              key: 'Mailing list',
              value: data.mailingList
                ? data.mailingList.status === 'subscribed'
                  ? `On the list since ${when(data.mailingList.consentedAt)}, after agreeing to: “${data.mailingList.consentWording}”`
                  : `Left the list ${when(data.mailingList.unsubscribedAt ?? data.mailingList.consentedAt)}`
                : 'Not on the list',
            },
            {
              key: 'Organisations you belong to',
              value: data.organisations.length
                ? data.organisations.map((o) => `${o.name} (${o.shownPublicly ? 'your name is shown on its directory page' : 'not shown'})`).join('; ')
                : 'None',
            },
            {
              key: 'Requests to the directory',
              value:
                [
                  ...data.directoryRequests.changes.map((c) => `a change to ${c.organisation}, asked ${when(c.askedAt)}: ${c.message}`),
                  ...data.directoryRequests.listings.map((l) => `to list ${l.name}, asked ${when(l.askedAt)} (waiting for a decision)`),
                ].join('; ') || 'None',
            },
            {
              key: 'Invitations to invitation-only events',
              value: data.invitations.length
                ? data.invitations
                    .map((i) => `${i.eventTitle} (${i.status}, invited ${when(i.invitedAt)}${i.accessNeeds ? `; what you need: ${i.accessNeeds}` : ''})`)
                    .join('; ')
                : 'None',
            },
            { key: 'Plain-text emails only', value: yesNo(p.prefersPlainText) },
            { key: 'How you would like us to contact you', value: text(p.contactNotes) },
            { key: 'Limit on paid involvement each tax year', value: p.involvementCapPence === null ? 'None set' : money(p.involvementCapPence) },
            { key: 'Account made', value: when(p.createdAt) },
            { key: 'Details last changed', value: when(p.updatedAt) },
          ],
        },
        ...(p.roles.length
          ? [
              {
                kind: 'table' as const,
                heading: 'Your roles',
                head: ['Role', 'Given'],
                rows: p.roles.map((r) => [label(siteRoleLabels, r.role), when(r.grantedAt)]),
              },
            ]
          : []),
      ],
    },
    {
      id: 'sign-in',
      heading: 'Signing in',
      intro: 'When you signed in and asked for sign-in links. The links and session keys themselves are never kept, so they are not here.',
      empty: '',
      blocks: [
        {
          kind: 'table' as const,
          heading: 'Where you are signed in',
          head: ['Signed in', 'Last used', 'Ends', 'Browser'],
          rows: data.sessions.map((s) => [when(s.createdAt), when(s.lastSeenAt), when(s.expiresAt), text(s.userAgent)]),
        },
        {
          kind: 'table' as const,
          heading: 'Sign-in links you asked for',
          head: ['Asked for', 'Used'],
          rows: data.signInRequests.map((s) => [when(s.requestedAt), when(s.usedAt, 'Not used')]),
        },
      ].filter((b) => b.rows.length),
    },
    {
      id: 'bookings',
      heading: 'Your bookings',
      intro: 'Places you booked, with what you told us and any payments.',
      empty: 'You have not booked a place at an event.',
      blocks: data.bookings.map((b) => ({
        kind: 'list' as const,
        heading: `${b.eventTitle}${b.eventStartsAt ? `, ${formatDate(new Date(b.eventStartsAt))}` : ''}`,
        rows: [
          { key: 'Status', value: label(bookingStatusLabels, b.status) },
          { key: 'Kind of place', value: text(b.ticketType) },
          { key: 'Name', value: b.name },
          { key: 'Email address', value: b.email },
          { key: 'Organisation', value: text(b.organisation) },
          { key: 'Perspective', value: label(bookingPerspectiveLabels, b.perspective) },
          { key: 'Access needs', value: text(b.accessRequirements) },
          { key: 'Dietary needs', value: text(b.dietaryNeeds) },
          { key: 'Tell me about future events', value: yesNo(b.consentFutureEvents) },
          { key: 'Price', value: formatPrice(b.pricePence) },
          { key: 'Booked', value: when(b.createdAt) },
          ...(b.cancelledAt ? [{ key: 'Cancelled', value: when(b.cancelledAt) }] : []),
          ...(b.attendedAt ? [{ key: 'Attended', value: when(b.attendedAt) }] : []),
          ...b.answers.map((a) => ({ key: a.question, value: text(a.answer) })),
          ...b.companions.map((c) => ({ key: 'Companion place', value: `${c.name} (${label(bookingStatusLabels, c.status)})` })),
          ...b.payments.map((pay) => ({
            key: 'Payment',
            value: `${money(pay.amountPence)} by ${label(paymentMethodLabels, pay.method)}: ${label(paymentStatusLabels, pay.status)}${pay.paidAt ? `, ${when(pay.paidAt)}` : ''}`,
          })),
        ],
      })),
    },
    {
      id: 'booking-requests',
      heading: 'Bookings asked for by email',
      intro:
        'Bookings made with your email address without signing in. Each waits until the link we emailed is opened; what the form held is kept until then, and is in the downloaded file.',
      empty: 'No bookings have been asked for with your email address.',
      blocks: data.bookingRequests.length
        ? [
            {
              kind: 'table' as const,
              heading: 'Asked for',
              head: ['Event', 'Asked for', 'Link opened'],
              rows: data.bookingRequests.map((r) => [r.eventTitle, when(r.requestedAt), when(r.usedAt, `Not opened (the link ends ${when(r.expiresAt)})`)]),
            },
          ]
        : [],
    },
    {
      id: 'proposals',
      heading: 'Event proposals',
      intro: 'Proposals you wrote or were added to, with their history. Reviewers’ private notes and scores are not included.',
      empty: 'You are not on any event proposal.',
      blocks: data.proposals.flatMap((pr) => [
        {
          kind: 'list' as const,
          heading: pr.title,
          rows: [
            { key: 'Your part', value: pr.yourPart === 'author' ? 'You wrote it' : 'You were added as a co-proposer' },
            { key: 'Status', value: label(proposalStatusLabels, pr.status) },
            { key: 'Kind of event', value: label(eventTypeLabels, pr.type) },
            { key: 'Format', value: label(eventFormatLabels, pr.format) },
            { key: 'Summary', value: text(pr.summary) },
            { key: 'Purpose', value: text(pr.purpose) },
            { key: 'Who it is for', value: text(pr.audience) },
            { key: 'Place', value: text(pr.place) },
            { key: 'Expected numbers', value: pr.expectedNumbers === null ? '—' : String(pr.expectedNumbers) },
            { key: 'Accessibility', value: text(pr.accessibilityPlan) },
            { key: 'Co-production', value: text(pr.coproductionPlan) },
            { key: 'Budget needs', value: text(pr.budgetNeeds) },
            { key: 'Bursary budget asked for', value: money(pr.bursaryBudgetPence) },
            ...pr.dateOptions.map((d, i) => ({ key: `Date option ${i + 1}`, value: when(d.startsAt) })),
          ],
        },
        {
          kind: 'table' as const,
          heading: `History of “${pr.title}”`,
          head: ['When', 'Who', 'What'],
          rows: pr.history.map((h) => [when(h.at), whoLabel[h.by], `${label(entryLabels, h.kind)}${h.message ? `: ${h.message}` : ''}`]),
        },
      ]),
    },
    {
      id: 'planning',
      heading: 'Planning groups',
      intro: 'Events you help to plan: your role and the perspective you declared. Other members’ details are not included.',
      empty: 'You are not in any planning group.',
      blocks: [
        {
          kind: 'table' as const,
          heading: 'Your memberships',
          head: ['Event', 'Role', 'Your perspective', 'Status', 'Invited'],
          rows: data.planning.memberships.map((m) => [
            m.eventTitle,
            label(planningRoleLabels, m.role),
            m.perspective ? label(plannerPerspectiveLabels, m.perspective) : 'Not given',
            label(memberStatusLabels, m.status),
            when(m.invitedAt),
          ]),
        },
        {
          kind: 'table' as const,
          heading: 'Sessions you speak at',
          head: ['Event', 'Session', 'When'],
          rows: data.planning.speaking.map((s) => [s.eventTitle, s.title, when(s.startsAt)]),
        },
        {
          kind: 'table' as const,
          heading: 'Tasks given to you',
          head: ['Event', 'Task', 'Due', 'Done'],
          rows: data.planning.tasksOwned.map((t) => [t.eventTitle, t.title, day(t.dueOn), when(t.doneAt, 'Not yet')]),
        },
        {
          kind: 'table' as const,
          heading: 'What you wrote in planning discussions',
          head: ['Event', 'When', 'Message'],
          rows: data.planning.postsWritten.map((m) => [m.eventTitle, when(m.at), m.body]),
        },
      ].filter((b) => b.rows.length),
    },
    {
      id: 'involvement',
      heading: 'Involvement payments',
      intro: 'Time you logged for planning and speaking, and how you chose to be paid.',
      empty: 'You have not logged any involvement.',
      blocks: data.involvementItems.length
        ? [
            {
              kind: 'table',
              heading: 'Time you logged',
              head: ['Event', 'Date', 'Activity', 'Time', 'Amount', 'Your choice', 'Paid'],
              rows: data.involvementItems.map((i) => [
                i.eventTitle,
                day(i.occurredOn),
                `${label(involvementActivityLabels, i.activity)}${i.description ? `: ${i.description}` : ''}`,
                `${Math.floor(i.minutes / 60)}h ${i.minutes % 60}m`,
                money(i.amountPence),
                `${label(involvementChoiceLabels, i.choice)}${i.organisationName ? ` (${i.organisationName})` : ''}`,
                when(i.paidAt, 'Not yet'),
              ]),
            },
          ]
        : [],
    },
    {
      id: 'after-events',
      heading: 'Certificates and feedback',
      intro:
        'Certificates of attendance issued to you, and what you answered in feedback surveys that were not anonymous. Answers to anonymous surveys keep no link to who gave them, so they are not here.',
      empty: 'You have no certificates, and no answers to named feedback surveys.',
      blocks: [
        {
          kind: 'table' as const,
          heading: 'Certificates of attendance',
          head: ['Event', 'Name on it', 'Verification code', 'Issued', 'Valid'],
          rows: data.afterEvents.certificates.map((c) => [c.eventTitle, c.name, c.code, when(c.issuedAt), c.valid ? 'Yes' : 'No (replaced or withdrawn)']),
        },
        {
          kind: 'table' as const,
          heading: 'Your feedback',
          head: ['Event', 'Question', 'Your answer', 'Answered', 'May be quoted'],
          rows: data.afterEvents.feedback.map((f) => [f.eventTitle, f.question, f.answer, when(f.answeredAt), yesNo(f.agreedToBeQuoted)]),
        },
      ].filter((b) => b.rows.length),
    },
    {
      id: 'bursaries',
      heading: 'Bursary applications',
      intro:
        'Help with costs you asked for: what you told us, the panel’s decision and messages, your claim, receipts and payments, and everyone who opened or acted on each application.',
      empty: 'You have not applied for a bursary.',
      blocks: data.bursaryApplications.flatMap((a) =>
        [
          {
            kind: 'list' as const,
            heading: `Application for ${a.eventTitle}`,
            rows: [
              { key: 'Status', value: label(Object.fromEntries(Object.entries(bursaryStatusLabels).map(([k, v]) => [k, v.label])), a.status) },
              { key: 'Your perspective', value: label(bursaryPerspectiveLabels, a.perspective) },
              { key: 'Money in advance', value: yesNo(a.inAdvance) },
              { key: 'The Hub books tickets', value: yesNo(a.hubBooksTickets) },
              { key: 'How you are paid', value: label(bursaryPaymentMethodLabels, a.paymentMethod) },
              { key: 'Name on the bank account', value: text(a.paymentName) },
              { key: 'Sort code and account number', value: a.bankDetails ? `${a.bankDetails.sortCode}, ${a.bankDetails.accountNumber}` : '—' },
              { key: 'Other payment arrangement', value: text(a.paymentArrangement) },
              { key: 'Your note', value: text(a.note) },
              { key: 'Started', value: when(a.createdAt) },
              { key: 'Sent', value: when(a.submittedAt, 'Not sent') },
              { key: 'Decided', value: when(a.decidedAt, 'Not yet') },
              ...(a.claim
                ? [
                    {
                      key: 'Claim',
                      value: `${claimStatusLabels[a.claim.status] ?? a.claim.status}, sent ${when(a.claim.submittedAt)}${a.claim.approvedPence !== null ? `; ${money(a.claim.approvedPence)} approved` : ''}`,
                    },
                  ]
                : []),
              ...a.receipts.map((r) => ({
                key: `Receipt (${categoryLabels[r.itemCategory as keyof typeof categoryLabels]?.label ?? r.itemCategory})`,
                value: `${r.filename}, ${kb(r.sizeBytes)}, uploaded ${when(r.uploadedAt)}`,
                ...(options.receiptLinks ? { href: `/account/your-data/receipts/${r.id}` } : {}),
              })),
            ],
          },
          {
            kind: 'table' as const,
            heading: 'Costs',
            head: ['What for', 'Asked for', 'Approved', 'Claimed'],
            rows: a.items.map((i) => [
              `${categoryLabels[i.category as keyof typeof categoryLabels]?.label ?? i.category}${i.description ? `: ${i.description}` : ''}`,
              money(i.estimatePence),
              money(i.approvedPence),
              money(i.claimedPence),
            ]),
          },
          {
            kind: 'table' as const,
            heading: 'Messages',
            head: ['When', 'From', 'Message'],
            rows: a.messages.map((m) => [when(m.at), m.by === 'you' ? 'You' : 'The bursary panel', m.body]),
          },
          {
            kind: 'table' as const,
            heading: 'Payments',
            head: ['Paid on', 'Kind', 'Amount', 'How', 'Reference'],
            rows: a.payments.map((pay) => [
              day(pay.paidOn),
              label(bursaryPaymentKindLabels, pay.kind),
              money(pay.amountPence),
              pay.method,
              text(pay.reference),
            ]),
          },
          {
            kind: 'table' as const,
            heading: 'Who opened or acted on this application',
            head: ['When', 'Who', 'What'],
            rows: a.access.map((e) => [when(e.at), e.by === 'someone else' ? e.name : whoLabel[e.by], bursaryActionLabels[e.action] ?? e.action]),
          },
        ].filter((b) => b.rows.length),
      ),
    },
    {
      id: 'calendar',
      heading: 'Calendar feed',
      intro: 'Whether you have a private calendar link. The link itself cannot be shown: only a scrambled form of it is kept.',
      empty: '',
      blocks: [
        {
          kind: 'list',
          heading: 'Your private calendar feed',
          rows: [
            {
              key: 'Private feed link',
              value: data.calendar.privateFeed.exists ? `Made ${when(data.calendar.privateFeed.createdAt)}` : 'You have not made one',
            },
          ],
        },
      ],
    },
    {
      id: 'emails',
      heading: 'Emails we sent you',
      intro: 'The subject and status of each email to your address.',
      empty: 'We have not sent you any email.',
      blocks: data.emails.length
        ? [
            {
              kind: 'table',
              heading: 'Emails',
              head: ['When', 'Subject', 'Status'],
              rows: data.emails.map((m) => [when(m.sentAt ?? m.queuedAt), m.subject, label(emailStatusLabels, m.status)]),
            },
          ]
        : [],
    },
    {
      id: 'activity',
      heading: 'Your activity',
      intro: 'What the site’s audit log recorded about things you did, and changes made to your account.',
      empty: 'Nothing has been recorded yet.',
      blocks: data.activity.length
        ? [
            {
              kind: 'table',
              heading: 'Recorded activity',
              head: ['When', 'Who', 'What', 'Record'],
              rows: data.activity.map((a) => [when(a.at), whoLabel[a.by], words(a.action), words(a.subjectType)]),
            },
          ]
        : [],
    },
  ];
  return { generatedAt: when(data.about.generatedAt), sections };
}
