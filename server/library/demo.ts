// Demo library: the Westminster round table's report (a small real PDF), launched at the annual
// conference, and a few other items from the Hub's events and from elsewhere, so search and the
// filters have something to find.
import { inArray } from 'drizzle-orm';
import { events, libraryItems } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';

/** A one-page PDF that says what it is. */
const reportPdf = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n4 0 obj<</Length 60>>stream\nBT /F1 12 Tf 20 70 Td (Westminster round table: report) Tj ET\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export async function seedDemoLibrary(tx: Db): Promise<void> {
  const [existing] = await tx.select({ id: libraryItems.id }).from(libraryItems).limit(1);
  if (existing) return;
  const found = await tx
    .select({ id: events.id, slug: events.slug })
    .from(events)
    .where(inArray(events.slug, ['westminster-round-table', 'social-perspectives-conference', 'hub-launch-and-discussion-day']));
  const id = (slug: string) => found.find((e) => e.slug === slug)?.id ?? null;
  const year = new Date().getUTCFullYear();
  await tx.insert(libraryItems).values([
    {
      title: 'Mental health social work under pressure: report of the Westminster round table',
      summary:
        'Service users, survivors, carers, practitioners, academics and MPs on the pressures facing mental health social workers, and what Directors of Adult Social Care should do next.',
      kind: 'report',
      topics: ['social work', 'policy', 'workforce'],
      year,
      eventId: id('westminster-round-table'),
      launchEventId: id('social-perspectives-conference'),
      filename: 'westminster-round-table-report.pdf',
      contentType: 'application/pdf',
      sizeBytes: reportPdf.length,
      content: reportPdf,
    },
    {
      // The launch day is still to come in the demo: its item is reading for before the day.
      title: 'Launch day: a short read before the discussion groups',
      summary: 'Why a Hub, and the questions the small groups will talk about on the day, in plain words.',
      kind: 'briefing',
      topics: ['co-production', 'networks'],
      year,
      eventId: id('hub-launch-and-discussion-day'),
      url: 'https://example.org/hub/launch-day-reading',
    },
    {
      title: 'Poverty, housing and mental distress: a reading list',
      summary: 'Articles and books on the social causes of distress, chosen by survivor researchers.',
      kind: 'article',
      topics: ['housing', 'poverty'],
      year: year - 1,
      url: 'https://example.org/hub/reading-list',
    },
  ]);
}
