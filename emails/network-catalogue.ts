// Emails about the Hub's mailing list. Names are typed by strangers on a public form, so the
// subjects are fixed words and a name appears only in the greeting.

export interface NetworkEmails {
  /** To an address someone put in the join form: the link that adds it to the list. */
  'list-confirm': { confirmPath: string; days: number };
  /** To an address already on the list, when someone put it in the join form again. */
  'list-already': { name: string; preferencesPath: string };
  /**
   * An organiser's announcement, one copy per subscriber with their own links. `bodyHtml` is the
   * markdown rendered and sanitised; `test` marks the copy an organiser sends to themselves.
   */
  'list-announcement': { subject: string; bodyHtml: string; bodyText: string; preferencesPath: string; leavePath: string; test: boolean };
}

export const networkSubjects: { [K in keyof NetworkEmails]: (data: NetworkEmails[K]) => string } = {
  'list-confirm': () => 'Please confirm you want emails from the Social Perspectives Hub',
  'list-already': () => 'You are already on the Social Perspectives Hub mailing list',
  // Written by an organiser, who is trusted to write to the list.
  'list-announcement': (d) => (d.test ? `Test: ${d.subject}` : d.subject),
};
