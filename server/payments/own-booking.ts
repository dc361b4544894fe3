// Separation of duties on money (THREATS "never" 2): no organiser, admin included, refunds their
// own booking or records its invoice or its refund as paid; another organiser must. Whose booking
// it is: registration's isOwnBooking (made signed in as them, or with their email address).
import { eq } from 'drizzle-orm';
import { registrations } from '../../db/schema/index.ts';
import type { Db } from '../db/database.ts';
import { ConflictError } from '../errors.ts';
import type { Me } from '../me.ts';
import { isOwnBooking, ownBookingMessage, type OwnBookingAction } from '../registration/api.ts';

/** Refuses, saying who must do it, a money action on the actor's own booking. */
export async function refuseOwnBooking(db: Db, registrationId: string, actor: Me, action: OwnBookingAction): Promise<void> {
  const [booking] = await db
    .select({ personId: registrations.personId, email: registrations.email })
    .from(registrations)
    .where(eq(registrations.id, registrationId));
  if (booking && isOwnBooking(booking, actor)) throw new ConflictError('own_booking', ownBookingMessage(action));
}
