CREATE TABLE "bursary_bank_details" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "survey_answers" ADD COLUMN "quoted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "registration_id" uuid;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "person_id" uuid;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "consent_to_quote" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "bursary_bank_details" ADD CONSTRAINT "bursary_bank_details_application_id_bursary_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."bursary_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_registration_id_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."registrations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Hand-written: named answers given before this migration keep who gave them (for the data export and erasure).
UPDATE "survey_responses" r SET "registration_id" = i."registration_id", "person_id" = i."person_id" FROM "survey_invitations" i WHERE r."invitation_id" = i."id";
