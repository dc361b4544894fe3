// Demo directory and imported list: the Hub itself, a service-user-led partner network and a few
// other organisations (one still asking to be listed), the member belonging to the partner, two
// demo events co-hosted, and an older list imported through the real service: two people whose
// consent was recorded join, one without a record is asked, and one bad row is left out.
import { eq, inArray } from 'drizzle-orm';
import { eventCohosts, events, organisationMembers, organisations, people, type OrganisationKind } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { previewImport, runImports, startImport } from './import.ts';

const demoOrganisations: { name: string; kind: OrganisationKind; region: string; website: string; description: string; contact?: [string, string] }[] = [
  {
    name: 'Social Perspectives Hub',
    kind: 'network',
    region: '',
    website: 'https://hub.example.org',
    description: 'A network of service users and survivors, carers, practitioners and academics for social perspectives in mental health, hosted by BASW.',
    contact: ['The Hub team', 'hub@example.org'],
  },
  {
    name: 'Survivor Voices Network',
    kind: 'service_user_led',
    region: 'London',
    website: 'https://survivor-voices.example.org',
    description: 'Run by and for survivors of the mental health system: peer support groups, training and campaigning in London and the South East.',
    contact: ['Survivor Voices', 'hello@survivor-voices.example.org'],
  },
  {
    name: 'British Association of Social Workers',
    kind: 'professional_body',
    region: '',
    website: 'https://basw.example.org',
    description: 'The professional body for social work in the UK, and host of the Hub.',
  },
  {
    name: 'University of Birmingham, Department of Social Work',
    kind: 'university',
    region: 'West Midlands',
    website: 'https://birmingham.example.org/social-work',
    description: 'Research and teaching on mental health social work, with a service user and carer group that shapes its courses.',
  },
  {
    name: 'Carers Together',
    kind: 'charity',
    region: 'West Midlands',
    website: '',
    description: 'Support and a voice for people caring for someone with mental distress.',
  },
];

export async function seedDemoDirectory(tx: Db, organiserEmail = 'organiser@example.org'): Promise<void> {
  const [already] = await tx.select({ id: organisations.id }).from(organisations).limit(1);
  if (already) return;
  const [organiser] = await tx.select({ id: people.id }).from(people).where(eq(people.email, organiserEmail));
  const now = new Date();
  const rows = await tx
    .insert(organisations)
    .values(
      demoOrganisations.map((o) => ({
        name: o.name,
        kind: o.kind,
        region: o.region,
        website: o.website,
        description: o.description,
        contactName: o.contact?.[0] ?? '',
        contactEmail: o.contact?.[1] ?? '',
        contactPublic: Boolean(o.contact),
        status: 'approved' as const,
        createdAt: now,
        decidedAt: now,
        decidedBy: organiser?.id ?? null,
      })),
    )
    .returning({ id: organisations.id, name: organisations.name });
  const id = (name: string) => rows.find((r) => r.name === name)!.id;
  await tx.insert(organisations).values({
    name: 'Mad Studies Reading Group',
    kind: 'network',
    region: 'North West',
    description: 'A reading group on Mad Studies that would like to link with the Hub.',
    requesterEmail: 'reading.group@example.org',

    createdAt: now,
  });

  const [member] = await tx.select({ id: people.id }).from(people).where(eq(people.email, 'member@example.org'));
  if (member)
    await tx
      .insert(organisationMembers)
      .values({ organisationId: id('Survivor Voices Network'), personId: member.id, showPublicly: true })
      .onConflictDoNothing();

  const hosted = await tx
    .select({ id: events.id, slug: events.slug })
    .from(events)
    .where(inArray(events.slug, ['hub-launch-and-discussion-day', 'social-perspectives-conference']));
  const cohosts: Record<string, string[]> = {
    'hub-launch-and-discussion-day': ['Social Perspectives Hub', 'Survivor Voices Network'],
    'social-perspectives-conference': ['Social Perspectives Hub', 'British Association of Social Workers'],
  };
  for (const event of hosted)
    await tx
      .insert(eventCohosts)
      .values(cohosts[event.slug]!.map((name, position) => ({ eventId: event.id, organisationId: id(name), position })))
      .onConflictDoNothing();

  if (!organiser) return;
  const csv = [
    'Email,Name,Consent',
    'old.member@example.org,Sam Old-Member,"2021-05-12, ticked ""keep me informed"" on the Social Perspectives Network sign-up form"',
    'peer.worker@example.org,Lee,"2022-10-03, signed the paper list at the Leeds seminar"',
    'no.record@example.org,Ash,',
    'not an address,Broken row,',
  ].join('\n');
  const importId = await previewImport(tx, organiser.id, { filename: 'old-network-members.csv', data: Buffer.from(csv), now });
  await startImport(tx, importId, organiser.id, now);
  await runImports(tx, { now });
}
