// The signed-in person, as every request and every service that acts for someone sees them.
// Sessions (accounts/sessions.ts) find them; every feature's services take them as the actor.
import type { SiteRole } from '../db/schema/index.ts';

/** The signed-in person as every request sees them. */
export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: SiteRole[];
  isAdmin: boolean;
  /** Admins count as organisers. */
  isOrganiser: boolean;
  sessionHash: string;
}
