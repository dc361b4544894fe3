CREATE TABLE "announcements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"audience" jsonb DEFAULT '{"types":[],"formats":[],"regions":[]}'::jsonb NOT NULL,
	"event_id" uuid,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_by" uuid,
	"sent_at" timestamp with time zone,
	"audience_size" integer DEFAULT 0 NOT NULL,
	"delivered_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "list_join_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"interests" jsonb NOT NULL,
	"consent_wording" text NOT NULL,
	"token_hash" text NOT NULL,
	"requested_ip" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "list_join_requests_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "list_subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"interests" jsonb DEFAULT '{"types":[],"formats":[],"regions":[]}'::jsonb NOT NULL,
	"status" text DEFAULT 'subscribed' NOT NULL,
	"person_id" uuid,
	"consented_at" timestamp with time zone NOT NULL,
	"consent_wording" text NOT NULL,
	"consent_method" text NOT NULL,
	"unsubscribed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "list_subscribers_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "mail_suppressions" (
	"email_hash" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "announcement_id" uuid;--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_created_by_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_sent_by_people_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "list_subscribers" ADD CONSTRAINT "list_subscribers_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "list_join_requests_ip_idx" ON "list_join_requests" USING btree ("requested_ip","created_at");--> statement-breakpoint
CREATE INDEX "list_join_requests_email_idx" ON "list_join_requests" USING btree ("email","created_at");--> statement-breakpoint
CREATE INDEX "list_subscribers_person_idx" ON "list_subscribers" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "outbox_messages_announcement_idx" ON "outbox_messages" USING btree ("announcement_id");--> statement-breakpoint
-- Hand-written: members who ticked "Email me when the Hub announces new events" become
-- subscribers, with that consent recorded as it was given (the box, when they last saved).
INSERT INTO "list_subscribers" ("email", "name", "person_id", "consented_at", "consent_wording", "consent_method", "created_at", "updated_at")
SELECT "email", "display_name", "id", "updated_at", 'Email me when the Hub announces new events', 'existing_preference', now(), now()
FROM "people" WHERE "wants_event_news" AND "email" NOT LIKE '%@erased.invalid';--> statement-breakpoint
ALTER TABLE "people" DROP COLUMN "wants_event_news";