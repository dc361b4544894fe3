// Emails about the Hub's mailing list. Names are typed by strangers on a public form, so the
// subjects are fixed words and a name appears only in the greeting.

export interface NetworkEmails {
  /** To an address someone put in the join form: the link that adds it to the list. */
  'list-confirm': { name: string; confirmPath: string; days: number };
  /** To an address already on the list, when someone put it in the join form again. */
  'list-already': { preferencesPath: string };
}

export const networkSubjects: { [K in keyof NetworkEmails]: (data: NetworkEmails[K]) => string } = {
  'list-confirm': () => 'Please confirm you want emails from the Social Perspectives Hub',
  'list-already': () => 'You are already on the Social Perspectives Hub mailing list',
};
