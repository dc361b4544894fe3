// Feedback surveys as their pages see them: whom each survey asks in words, questions as fields.
import { surveyAudiences, type EventType, type SurveyAudience } from '../../db/schema/index.ts';
import type { OpenSurvey, QuestionRow } from './service.ts';

/** Whom a survey asks, as its pages' headings say it. */
export const audienceWords: Record<SurveyAudience, string> = {
  attendees: 'People who came',
  planners: 'The planning group',
  no_shows: 'People who booked but did not come',
};

/** The other surveys of an event, as links from each one's page. */
const audienceLinks: Record<SurveyAudience, string> = {
  attendees: 'the survey for people who came',
  planners: 'the planning group’s own survey',
  no_shows: 'the survey for people who booked but did not come',
};

/** A series is the events of one kind: "other round tables". */
export const seriesWords: Record<EventType, string> = {
  launch_day: 'launch days',
  seminar: 'seminars',
  training_event: 'training events',
  conference: 'conferences',
  round_table: 'round tables',
  webinar: 'webinars',
  other: 'events of the kind “other”',
};

/** A survey's questions as the answer form's fields: a rating's answers are its position, 1 to 5. */
export function answerFields(questions: OpenSurvey['questions']) {
  return questions.map((q) => ({
    field: `q_${q.id}`,
    kind: q.kind,
    label: q.label,
    options: q.options.map((o, i) => ({ value: q.kind === 'rating' ? String(i + 1) : o, label: o })),
  }));
}

/** Links from one survey's page to the event's other surveys. */
export function otherSurveyLinks(eventId: string, audience: SurveyAudience) {
  return surveyAudiences.filter((a) => a !== audience).map((a) => ({ path: `/plan/${eventId}/feedback/${a}`, words: audienceLinks[a] }));
}

/** A survey's questions as the page that shapes it lists them, first and last marked for moving. */
export function shapeQuestionRows(questions: QuestionRow[]) {
  return questions.map((q, i) => ({
    id: q.id,
    label: q.label,
    kind: q.kind,
    options: q.options.join(', '),
    first: i === 0,
    last: i === questions.length - 1,
  }));
}
