// Emails after an event: the thank-you with a certificate of attendance, and feedback surveys.
// Merged into EmailCatalogue in catalogue.ts.

export interface AfterEventEmails {
  /** With the certificate attached; the manage link is where a wrongly written name is corrected. */
  'certificate-thank-you': { name: string; eventTitle: string; date: string; code: string; verifyPath: string; managePath: string };
  /** `planner`: the planning group's own survey, about working together. */
  'survey-invitation': { name: string; eventTitle: string; surveyPath: string; anonymous: boolean; planner: boolean; reminder: boolean };
}

export const afterEventSubjects: { [K in keyof AfterEventEmails]: (data: AfterEventEmails[K]) => string } = {
  'certificate-thank-you': (d) => `Thank you for coming: your certificate for ${d.eventTitle}`,
  'survey-invitation': (d) => `${d.reminder ? 'Reminder: ' : ''}${d.planner ? 'How was planning' : 'What did you think of'} ${d.eventTitle}?`,
};
