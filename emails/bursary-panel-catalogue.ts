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
}

export const bursaryPanelSubjects: { [K in keyof BursaryPanelEmails]: (data: BursaryPanelEmails[K]) => string } = {
  'bursary-panel-changed': (d) => (d.change === 'added' ? 'Someone has been added to a bursary panel' : 'Someone has been removed from a bursary panel'),
  'bursary-panel-you': (d) => (d.change === 'added' ? 'You have been added to a bursary panel' : 'You are no longer on a bursary panel'),
};
