// Demo mailing list: the member from the demo accounts (through the profile box) and a few people
// who joined from the form, one of whom has since left, so the list's pages have something to show.
import type { Db } from '../db/database.ts';
import { JOIN_WORDING, leaveList, setMemberSubscription, subscribe } from './list.ts';

export async function seedDemoList(tx: Db): Promise<void> {
  const now = new Date();
  await setMemberSubscription(tx, { email: 'member@example.org', wants: true, now });
  const joined = [
    { email: 'carer.network@example.org', name: 'Carers Together', interests: { types: ['seminar', 'round_table'], formats: [], regions: ['West Midlands'] } },
    { email: 'student.sw@example.org', name: 'Kit', interests: { types: ['training_event', 'webinar'], formats: ['online'], regions: [] } },
    { email: 'survivor.voices@example.org', name: 'Survivor Voices', interests: { types: [], formats: [], regions: ['London', 'South East'] } },
  ];
  for (const person of joined) await subscribe(tx, { ...person, method: 'web_form', wording: JOIN_WORDING, now });
  const left = await subscribe(tx, { email: 'moved.on@example.org', name: 'Moved On', method: 'web_form', wording: JOIN_WORDING, now });
  await leaveList(tx, left, now);
}
