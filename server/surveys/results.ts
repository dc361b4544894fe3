// A survey's results: counts, averages and distributions per question, each drawn as a bar chart
// in SVG on the server (no script), with a sentence that says what the chart shows and a table
// of the same numbers. Free text is listed for the event's leads and organisers, who clear
// chosen answers before anything is quoted in public.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { surveyAnswers, surveyResponses } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import { listQuestions, type QuestionRow, type SurveyRow } from './service.ts';

export interface Bar {
  label: string;
  count: number;
  percent: number;
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
  texts: { id: string; value: string; approved: boolean; by: string }[];
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Horizontal bars, one per option; the chart's words are in its title and the page's table. */
export function barChart(id: string, title: string, bars: Bar[]): string {
  const rowHeight = 36;
  const labelWidth = 260;
  const barWidth = 360;
  const height = bars.length * rowHeight + 8;
  const most = Math.max(1, ...bars.map((b) => b.count));
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 4;
      const w = Math.round((b.count / most) * barWidth);
      return (
        `<g data-label="${escapeXml(b.label)}" data-count="${b.count}">` +
        `<text x="${labelWidth - 8}" y="${y + 22}" text-anchor="end" font-size="16" fill="#0b0c0c">${escapeXml(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(w, b.count ? 2 : 0)}" height="${rowHeight - 10}" fill="#1d70b8"></rect>` +
        `<text x="${labelWidth + Math.max(w, 0) + 8}" y="${y + 22}" font-size="16" fill="#0b0c0c">${b.count} (${b.percent}%)</text>` +
        '</g>'
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="convene-chart" font-family="arial, sans-serif" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${labelWidth + barWidth + 100} ${height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(bars.map((b) => `${b.label}: ${b.count}`).join('; '))}</desc>${rows}</svg>`;
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
          texts: answers.map((a) => ({ id: a.id, value: a.value, approved: a.approved, by: a.by })),
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

/** A lead or organiser clears a written answer for quoting in public, or takes that back. */
export async function setApproved(db: Db, survey: SurveyRow, answerId: string, approved: boolean): Promise<void> {
  const [row] = await db
    .select({ id: surveyAnswers.id })
    .from(surveyAnswers)
    .innerJoin(surveyResponses, eq(surveyResponses.id, surveyAnswers.responseId))
    .where(and(eq(surveyAnswers.id, answerId), eq(surveyResponses.surveyId, survey.id)));
  if (!row) throw new NotFoundError('We could not find that answer.');
  await db.update(surveyAnswers).set({ approvedForPublic: approved }).where(eq(surveyAnswers.id, row.id));
}
