// Every email Convene sends: its name, the data it needs, and its subject line.
// The bodies are Eta templates beside this file: NAME.html.eta and NAME.text.eta, both
// wrapped by layouts/html.eta and layouts/text.eta. Links in the data are paths on the site;
// the renderer adds the site's address, so an email can be re-sent after a domain change.

import { afterEventSubjects, type AfterEventEmails } from './after-event-catalogue.ts';
import { bursarySubjects, type BursaryEmails } from './bursaries-catalogue.ts';
import { bursaryPanelSubjects, type BursaryPanelEmails } from './bursary-panel-catalogue.ts';
import { coproductionSubjects, type CoproductionEmails } from './coproduction-catalogue.ts';
import { directorySubjects, type DirectoryEmails } from './directory-catalogue.ts';
import { invitationSubjects, type InvitationEmails } from './invitations-catalogue.ts';
import { networkSubjects, type NetworkEmails } from './network-catalogue.ts';
import { paymentSubjects, type PaymentEmails } from './payments-catalogue.ts';
import { registrationSubjects, type RegistrationEmails } from './registration-catalogue.ts';

export interface EmailCatalogue extends RegistrationEmails, CoproductionEmails, AfterEventEmails, BursaryEmails, BursaryPanelEmails, NetworkEmails, PaymentEmails, DirectoryEmails, InvitationEmails {
  'sign-in': { signInPath: string; expiresInMinutes: number };
  'role-granted': { name: string; role: string };
}

export type EmailName = keyof EmailCatalogue;

export const subjects: { [K in EmailName]: (data: EmailCatalogue[K]) => string } = {
  ...registrationSubjects,
  ...coproductionSubjects,
  ...bursarySubjects,
  ...bursaryPanelSubjects,
  ...afterEventSubjects,
  ...networkSubjects,
  ...paymentSubjects,
  ...directorySubjects,
  ...invitationSubjects,
  'sign-in': () => 'Your link to sign in to the Social Perspectives Hub',
  'role-granted': (d) => `You are now ${d.role === 'admin' ? 'an admin' : 'an organiser'} on the Social Perspectives Hub`,
};
