ALTER TABLE "outbox_messages" ADD COLUMN "sealed" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "secrets_removed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_messages_to_idx" ON "outbox_messages" USING btree ("to_address");--> statement-breakpoint
UPDATE "outbox_messages" SET "data" = "data" - 'signInPath' - 'managePath' - 'invitationPath', "secrets_removed_at" = now() WHERE "status" <> 'queued' AND (("data" ->> 'signInPath') IS NOT NULL OR ("data" ->> 'managePath') IS NOT NULL OR ("data" ->> 'invitationPath') IS NOT NULL);
