DROP INDEX "registrations_event_status_idx";--> statement-breakpoint
CREATE INDEX "registrations_event_status_type_idx" ON "registrations" USING btree ("event_id","status","ticket_type_id");