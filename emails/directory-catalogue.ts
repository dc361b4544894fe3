// Emails about importing an older mailing list and the directory of organisations. The subjects
// are fixed words: names in them were typed by people outside the Hub.

export interface DirectoryEmails {
  /**
   * To an address imported from an older list with no record of when and how it agreed: the one
   * email asking whether it wants to join. Without pressing the button, it is not on the list.
   */
  'list-import-ask': { confirmPath: string; days: number };
  /**
   * To whoever asked for an organisation to be listed, once an organiser has decided. The name
   * (typed by the asker) is repeated only when approved, when the directory shows it anyway.
   */
  'directory-decided': { approved: boolean; organisationName: string; askedOn: string; directoryPath: string };
}

export const directorySubjects: { [K in keyof DirectoryEmails]: (data: DirectoryEmails[K]) => string } = {
  'list-import-ask': () => 'Would you like to keep hearing from the Social Perspectives Hub?',
  'directory-decided': (d) =>
    d.approved ? 'Your organisation is listed in the Social Perspectives Hub directory' : 'Your request to be listed in the Social Perspectives Hub directory',
};
