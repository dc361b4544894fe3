ALTER TABLE "private_feed_tokens" ADD COLUMN "changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "public_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "planning_meetings" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "programme_sessions" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "programme_sessions" ADD COLUMN "sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: events already public keep a public change time (their last change).
UPDATE "events" SET "public_changed_at" = "updated_at" WHERE "published_at" IS NOT NULL;
