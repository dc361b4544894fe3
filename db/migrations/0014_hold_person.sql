ALTER TABLE "place_holds" ADD COLUMN "person_id" uuid;--> statement-breakpoint
ALTER TABLE "place_holds" ADD CONSTRAINT "place_holds_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Hand-written: a live place held for a bursary application now names its applicant.
UPDATE "place_holds" SET "person_id" = a."applicant_id" FROM "bursary_applications" a WHERE "place_holds"."reference" = 'bursary-application:' || a."id"::text AND "place_holds"."state" = 'live';
