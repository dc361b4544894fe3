CREATE TABLE "bursary_panel_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"fund_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bursary_panel_settings" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"notice_mode" text DEFAULT 'at_once' NOT NULL,
	"last_digest_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bursary_panel_notices" ADD CONSTRAINT "bursary_panel_notices_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_panel_notices" ADD CONSTRAINT "bursary_panel_notices_fund_id_bursary_funds_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."bursary_funds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_panel_notices" ADD CONSTRAINT "bursary_panel_notices_application_id_bursary_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."bursary_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_panel_settings" ADD CONSTRAINT "bursary_panel_settings_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bursary_panel_notices_person_idx" ON "bursary_panel_notices" USING btree ("person_id","sent_at");