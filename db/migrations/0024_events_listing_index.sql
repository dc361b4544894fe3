DROP INDEX "events_status_starts_idx";--> statement-breakpoint
CREATE INDEX "events_listing_idx" ON "events" USING btree ("status","starts_at","id","unlisted","ends_at");