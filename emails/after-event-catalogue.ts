// Emails after an event: the thank-you with a certificate of attendance, and feedback surveys.
// Merged into EmailCatalogue in catalogue.ts.

export interface AfterEventEmails {
  /**
   * With the certificate attached; the manage link is where a wrongly written name is corrected.
   * `companionName`: the certificate is a companion's, sent to the person who booked them
   * (`name`), whose address the companion's place has.
   */
  'certificate-thank-you': {
    name: string;
    companionName?: string | null;
    eventTitle: string;
    date: string;
    code: string;
    verifyPath: string;
    managePath: string;
  };
  /** `planner`: the planning group's own survey, about working together; `noShow`: for people who booked and did not come. */
  'survey-invitation': {
    name: string;
    eventTitle: string;
    surveyPath: string;
    anonymous: boolean;
    planner: boolean;
    noShow?: boolean;
    reminder: boolean;
  };
}

export const afterEventSubjects: { [K in keyof AfterEventEmails]: (data: AfterEventEmails[K]) => string } = {
  'certificate-thank-you': (d) =>
    d.companionName ? `The certificate of attendance for your companion at ${d.eventTitle}` : `Thank you for coming: your certificate for ${d.eventTitle}`,
  'survey-invitation': (d) =>
    d.noShow
      ? `${d.reminder ? 'Reminder: ' : ''}We missed you at ${d.eventTitle}`
      : `${d.reminder ? 'Reminder: ' : ''}${d.planner ? 'How was planning' : 'What did you think of'} ${d.eventTitle}?`,
};
