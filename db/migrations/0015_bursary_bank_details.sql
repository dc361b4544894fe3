CREATE TABLE "bursary_bank_details" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"sealed" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bursary_bank_details" ADD CONSTRAINT "bursary_bank_details_application_id_bursary_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."bursary_applications"("id") ON DELETE cascade ON UPDATE no action;