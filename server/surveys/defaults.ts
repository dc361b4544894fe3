// The questions a new survey starts with, before the organisers or planners shape it.
import type { SurveyAudience, SurveyQuestionKind } from '../../db/schema/index.ts';

export interface DefaultQuestion {
  kind: SurveyQuestionKind;
  label: string;
  options: string[];
}

const AGREE = ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];
const QUALITY = ['Very poor', 'Poor', 'All right', 'Good', 'Very good'];

export const defaultQuestions: Record<SurveyAudience, DefaultQuestion[]> = {
  attendees: [
    { kind: 'rating', label: 'Overall, how was the event?', options: QUALITY },
    { kind: 'rating', label: 'I felt heard', options: AGREE },
    { kind: 'rating', label: 'The event met my access needs', options: AGREE },
    { kind: 'choice', label: 'Will you do anything differently because of it?', options: ['Yes', 'Maybe', 'No'] },
    { kind: 'text', label: 'What difference has the event made to you, or to your work?', options: [] },
    { kind: 'text', label: 'What could we do better, including on access?', options: [] },
  ],
  planners: [
    { kind: 'rating', label: 'I felt an equal partner in planning this event', options: AGREE },
    { kind: 'rating', label: 'My experience and knowledge were valued', options: AGREE },
    { kind: 'rating', label: 'I had the support I needed to take part (papers, access, expenses)', options: AGREE },
    { kind: 'text', label: 'What should we do differently when we plan together next time?', options: [] },
  ],
  // People who booked and did not come: what got in the way, so the next event is easier to reach.
  no_shows: [
    {
      kind: 'choice',
      label: 'What stopped you coming?',
      options: ['I was unwell', 'Caring or work came up', 'Travel or cost', 'Access needs were not met', 'I forgot, or the time changed', 'Something else'],
    },
    { kind: 'choice', label: 'Would you like to come to a similar event?', options: ['Yes', 'Maybe', 'No'] },
    { kind: 'text', label: 'What would have made it easier to come?', options: [] },
  ],
};
