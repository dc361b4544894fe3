// Emails about who sits on a bursary panel. Subjects are fixed words: names, fund names and event
// titles are typed by people, so they travel only in the body.

export interface BursaryPanelEmails {
  /** To every organiser and admin: someone was added to or removed from a fund's panel. */
  'bursary-panel-changed': {
    change: 'added' | 'removed';
    memberName: string;
    memberEmail: string;
    fundName: string;
    /** Empty for the Hub's general fund. */
    eventTitle: string;
    byName: string;
    panelPath: string;
  };
  /** To the person added or removed. */
  'bursary-panel-you': { change: 'added' | 'removed'; name: string; fundName: string; eventTitle: string; fundPath: string };
  /** To a panel member who hears at once: an application or a claim is waiting. No applicant details. */
  'bursary-panel-new': { kind: 'application' | 'claim'; name: string; fundName: string; eventTitle: string; reviewPath: string; settingsPath: string };
  /** To a panel member who chose one email a day: how many are waiting, fund by fund. */
  'bursary-panel-digest': {
    name: string;
    funds: { fundName: string; eventTitle: string; fundPath: string; applications: number; claims: number }[];
    settingsPath: string;
  };
}

export const bursaryPanelSubjects: { [K in keyof BursaryPanelEmails]: (data: BursaryPanelEmails[K]) => string } = {
  'bursary-panel-changed': (d) => (d.change === 'added' ? 'Someone has been added to a bursary panel' : 'Someone has been removed from a bursary panel'),
  'bursary-panel-you': (d) => (d.change === 'added' ? 'You have been added to a bursary panel' : 'You are no longer on a bursary panel'),
  'bursary-panel-new': (d) => (d.kind === 'application' ? 'A new bursary application is waiting for the panel' : 'A bursary claim is waiting for the panel'),
  'bursary-panel-digest': () => 'Bursary applications and claims waiting for the panel',
};
