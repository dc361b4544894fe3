// Bursary emails. They say only what the applicant needs (the event, the outcome, a link to sign
// in and see the details); amounts, health or caring details never travel by email.

export interface BursaryEmails {
  'bursary-submitted': { name: string; eventTitle: string; applicationPath: string };
  'bursary-decided': { name: string; eventTitle: string; outcome: 'approved' | 'part_approved' | 'declined'; applicationPath: string };
  'bursary-paid': { name: string; eventTitle: string; applicationPath: string };
}

export const bursarySubjects: { [K in keyof BursaryEmails]: (data: BursaryEmails[K]) => string } = {
  'bursary-submitted': (d) => `We have your bursary application for ${d.eventTitle}`,
  'bursary-decided': (d) => `A decision on your bursary application for ${d.eventTitle}`,
  'bursary-paid': (d) => `We have recorded a bursary payment for ${d.eventTitle}`,
};
