// A survey's results: counts, averages and distributions per question, each drawn as a bar chart
// in SVG on the server (no script), with a sentence that says what the chart shows and a table
// of the same numbers. Free text is listed for the event's leads and organisers, who clear
// chosen answers before anything is quoted in public.
import { and, asc, count, desc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import { events, type EventType, surveyAnswers, surveyQuestions, surveyResponses, surveys } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { formatDate } from '../format.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { listQuestions, type QuestionRow, type SurveyRow } from './service.ts';

export interface Bar {
  label: string;
  count: number;
  percent: number;
  /** Written after the bar instead of "count (percent%)". */
  text?: string;
}

export interface QuestionResult {
  id: string;
  label: string;
  kind: QuestionRow['kind'];
  answered: number;
  bars: Bar[];
  /** Ratings: the mean point (1 = the scale's first words), to one decimal place. */
  average: number | null;
  summary: string;
  svg: string;
  /** `consented`: the person agreed to be quoted, so the answer may be cleared for quoting. */
  texts: { id: string; value: string; approved: boolean; consented: boolean; by: string }[];
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Horizontal bars, one per option; the chart's words are in its title and the page's table. */
export function barChart(id: string, title: string, bars: Bar[], scaleMax?: number): string {
  const rowHeight = 36;
  const labelWidth = 260;
  const barWidth = 360;
  const height = bars.length * rowHeight + 8;
  const most = scaleMax ?? Math.max(1, ...bars.map((b) => b.count));
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 4;
      const w = Math.round((b.count / most) * barWidth);
      return (
        `<g data-label="${escapeXml(b.label)}" data-count="${b.count}">` +
        `<text x="${labelWidth - 8}" y="${y + 22}" text-anchor="end" font-size="16" fill="#0b0c0c">${escapeXml(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(w, b.count ? 2 : 0)}" height="${rowHeight - 10}" fill="#1d70b8"></rect>` +
        `<text x="${labelWidth + Math.max(w, 0) + 8}" y="${y + 22}" font-size="16" fill="#0b0c0c">${escapeXml(b.text ?? `${b.count} (${b.percent}%)`)}</text>` +
        '</g>'
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="convene-chart" font-family="arial, sans-serif" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${labelWidth + barWidth + 100} ${height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(bars.map((b) => `${b.label}: ${b.text ?? b.count}`).join('; '))}</desc>${rows}</svg>`;
}

export async function surveyResults(db: Db, survey: SurveyRow): Promise<{ responses: number; questions: QuestionResult[] }> {
  const questions = await listQuestions(db, survey.id);
  const responses = await db.$count(surveyResponses, eq(surveyResponses.surveyId, survey.id));
  const rows = questions.length
    ? await db
        .select({
          id: surveyAnswers.id,
          questionId: surveyAnswers.questionId,
          value: surveyAnswers.value,
          approved: surveyAnswers.approvedForPublic,
          consented: surveyResponses.consentToQuote,
          by: surveyResponses.respondentName,
        })
        .from(surveyAnswers)
        .innerJoin(surveyResponses, eq(surveyResponses.id, surveyAnswers.responseId))
        .where(
          and(
            eq(surveyResponses.surveyId, survey.id),
            inArray(
              surveyAnswers.questionId,
              questions.map((q) => q.id),
            ),
          ),
        )
        .orderBy(asc(surveyAnswers.id))
    : [];
  return {
    responses,
    questions: questions.map((q, index) => {
      const answers = rows.filter((r) => r.questionId === q.id);
      const answered = answers.length;
      const id = `chart-${index + 1}`;
      if (q.kind === 'text') {
        return {
          id: q.id,
          label: q.label,
          kind: q.kind,
          answered,
          bars: [],
          average: null,
          summary: `${answered} written ${answered === 1 ? 'answer' : 'answers'}.`,
          svg: '',
          texts: answers.map((a) => ({ id: a.id, value: a.value, approved: a.approved, consented: a.consented, by: a.by })),
        };
      }
      // A rating's value is its point on the scale (1 …); a choice's is the option's words.
      const keyOf = (option: string, i: number) => (q.kind === 'rating' ? String(i + 1) : option);
      const bars = q.options.map((option, i) => {
        const count = answers.filter((a) => a.value === keyOf(option, i)).length;
        return { label: q.kind === 'rating' ? `${i + 1}. ${option}` : option, count, percent: answered ? Math.round((count / answered) * 100) : 0 };
      });
      const average = q.kind === 'rating' && answered ? Math.round((answers.reduce((sum, a) => sum + Number(a.value), 0) / answered) * 10) / 10 : null;
      // Every answer given most often, so a tie is not told as one winner.
      const most = Math.max(0, ...bars.map((b) => b.count));
      const top = bars
        .filter((b) => b.count === most)
        .map((b) => b.label.replace(/^\d+\. /, ''))
        .join(' and ');
      const summary =
        answered === 0
          ? 'No answers yet.'
          : q.kind === 'rating'
            ? `${answered} ${answered === 1 ? 'answer' : 'answers'}, averaging ${average} out of ${q.options.length} (1 is “${q.options[0]}”, ${q.options.length} is “${q.options.at(-1)}”). Most often: ${top}.`
            : `${answered} ${answered === 1 ? 'answer' : 'answers'}. Most often: ${top}.`;
      return { id: q.id, label: q.label, kind: q.kind, answered, bars, average, summary, svg: barChart(id, q.label, bars), texts: [] };
    }),
  };
}

/** Every response as a row and every question as a column, for a spreadsheet. */
export async function resultsTable(db: Db, survey: SurveyRow): Promise<string[][]> {
  const questions = await listQuestions(db, survey.id);
  const responses = await db
    .select({ id: surveyResponses.id, name: surveyResponses.respondentName })
    .from(surveyResponses)
    .where(eq(surveyResponses.surveyId, survey.id))
    .orderBy(asc(surveyResponses.id));
  const answers = responses.length
    ? await db
        .select()
        .from(surveyAnswers)
        .where(
          inArray(
            surveyAnswers.responseId,
            responses.map((r) => r.id),
          ),
        )
    : [];
  const header = [...(survey.anonymous ? [] : ['Name']), ...questions.map((q) => q.label)];
  const body = responses.map((r) => {
    const mine = answers.filter((a) => a.responseId === r.id);
    const cells = questions.map((q) => {
      const value = mine.find((a) => a.questionId === q.id)?.value ?? '';
      return q.kind === 'rating' && value ? `${value} (${q.options[Number(value) - 1] ?? ''})` : value;
    });
    return [...(survey.anonymous ? [] : [r.name]), ...cells];
  });
  return [header, ...body];
}

/**
 * A lead or organiser clears a written answer for quoting in public, or takes that back. Only an
 * answer whose author agreed to be quoted can be cleared; taking it back also takes it out of the
 * "you said, we did" note's quotes.
 */
export async function setApproved(db: Db, survey: SurveyRow, answerId: string, approved: boolean): Promise<void> {
  const [row] = await db
    .select({ id: surveyAnswers.id, consented: surveyResponses.consentToQuote })
    .from(surveyAnswers)
    .innerJoin(surveyResponses, eq(surveyResponses.id, surveyAnswers.responseId))
    .where(and(eq(surveyAnswers.id, answerId), eq(surveyResponses.surveyId, survey.id)));
  if (!row) throw new NotFoundError('We could not find that answer.');
  if (approved && !row.consented)
    throw new ConflictError('survey_no_consent', 'The person who wrote this did not agree to be quoted, so it cannot be cleared for quoting.');
  await db
    .update(surveyAnswers)
    .set(approved ? { approvedForPublic: true } : { approvedForPublic: false, quoted: false })
    .where(eq(surveyAnswers.id, row.id));
}

export interface SeriesComparison {
  /** The kind of event compared across, in words ("round tables"). */
  seriesWords: string;
  questions: {
    label: string;
    scale: string;
    summary: string;
    svg: string;
    rows: { eventTitle: string; date: string; answered: number; average: number; current: boolean }[];
  }[];
}

/** Fewer answers than this to a question and another event's average is left out: so few could point at someone. */
export const SERIES_MIN_ANSWERS = 3;
/** How many other events a question is compared with (the most recent). */
export const SERIES_EVENTS = 5;

/**
 * Events have no series of their own: a series here is the events of the same kind (every round
 * table, every seminar). Each rating question is compared with the same question (same words and
 * scale) in the same audience's survey of the most recent other events of that kind that have
 * taken place. Only averages and counts cross from one event to another.
 */
export async function compareWithSeries(
  db: Db,
  survey: SurveyRow,
  event: { id: string; type: EventType; title: string; startsAt: Date | null },
  seriesWords: string,
  now = new Date(),
): Promise<SeriesComparison | null> {
  const ratings = (await listQuestions(db, survey.id)).filter((q) => q.kind === 'rating');
  if (!ratings.length) return null;
  const rows = await db
    .select({
      eventId: events.id,
      title: events.title,
      startsAt: events.startsAt,
      label: surveyQuestions.label,
      options: surveyQuestions.options,
      answered: count(surveyAnswers.id),
      average: sql<string>`avg(${surveyAnswers.value}::numeric)`,
    })
    .from(surveys)
    .innerJoin(events, eq(events.id, surveys.eventId))
    .innerJoin(surveyQuestions, eq(surveyQuestions.surveyId, surveys.id))
    .innerJoin(surveyAnswers, eq(surveyAnswers.questionId, surveyQuestions.id))
    .where(
      and(
        eq(surveys.audience, survey.audience),
        eq(events.type, event.type),
        ne(events.status, 'cancelled'),
        lte(events.startsAt, now),
        eq(surveyQuestions.kind, 'rating'),
        inArray(
          surveyQuestions.label,
          ratings.map((q) => q.label),
        ),
      ),
    )
    .groupBy(events.id, surveyQuestions.id)
    .orderBy(desc(events.startsAt));
  const questions = ratings.flatMap((q, index) => {
    const sameScale = rows.filter(
      (r) => r.label === q.label && r.options.length === q.options.length && (r.eventId === event.id || r.answered >= SERIES_MIN_ANSWERS),
    );
    const others = sameScale.filter((r) => r.eventId !== event.id).slice(0, SERIES_EVENTS);
    if (!others.length) return [];
    const mine = sameScale.find((r) => r.eventId === event.id);
    const compared = [...(mine ? [mine] : []), ...others].sort((a, b) => (b.startsAt?.getTime() ?? 0) - (a.startsAt?.getTime() ?? 0));
    const rowsOut = compared.map((r) => ({
      eventTitle: r.title,
      date: r.startsAt ? formatDate(r.startsAt) : '',
      answered: r.answered,
      average: Math.round(Number(r.average) * 10) / 10,
      current: r.eventId === event.id,
    }));
    const otherMean =
      Math.round((others.reduce((sum, r) => sum + Number(r.average) * r.answered, 0) / others.reduce((sum, r) => sum + r.answered, 0)) * 10) / 10;
    const thisOne = rowsOut.find((r) => r.current);
    const summary = `${thisOne ? `This event averaged ${thisOne.average}` : 'This event has no answers yet'}; ${others.length === 1 ? 'the other event' : `the ${others.length} other events`} averaged ${otherMean} out of ${q.options.length}.`;
    const bars = rowsOut.map((r) => ({
      label: `${r.current ? 'This event' : r.eventTitle}`,
      count: r.average,
      percent: 0,
      text: `${r.average} (${r.answered} ${r.answered === 1 ? 'answer' : 'answers'})`,
    }));
    return [
      {
        label: q.label,
        scale: `1 is “${q.options[0]}”, ${q.options.length} is “${q.options.at(-1)}”`,
        summary,
        svg: barChart(`series-${index + 1}`, `Average by event: ${q.label}`, bars, q.options.length),
        rows: rowsOut,
      },
    ];
  });
  return { seriesWords, questions };
}
