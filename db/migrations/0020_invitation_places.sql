ALTER TABLE "event_invitations" ADD COLUMN "registration_id" uuid;--> statement-breakpoint
ALTER TABLE "event_invitations" ADD CONSTRAINT "event_invitations_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Hand-written backfill: an invitation accepted before this migration held a place through a hold
-- of kind 'invitation'; it becomes a confirmed booking (so it is on the attendee list), and the
-- hold ends as consumed.
UPDATE "event_invitations" SET "registration_id" = gen_random_uuid() WHERE "status" = 'accepted' AND "hold_id" IS NOT NULL;--> statement-breakpoint
INSERT INTO "registrations" ("id", "event_id", "status", "name", "email", "organisation", "perspective", "access_requirements", "confirmed_at", "created_at", "updated_at")
SELECT "registration_id", "event_id", 'confirmed', "name", "email", "organisation",
  CASE "perspective" WHEN 'service_user_survivor' THEN 'lived_experience' WHEN 'carer' THEN 'carer' WHEN 'practitioner' THEN 'practitioner' WHEN 'academic' THEN 'academic' ELSE 'other' END,
  "access_needs", coalesce("answered_at", now()), coalesce("answered_at", now()), now()
FROM "event_invitations" WHERE "registration_id" IS NOT NULL;--> statement-breakpoint
UPDATE "place_holds" SET "state" = 'consumed', "ended_at" = now() WHERE "kind" = 'invitation' AND "state" = 'live';
