CREATE TABLE "reserved_code_tries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requested_ip" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reserved_places" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"group_name" text NOT NULL,
	"code" text NOT NULL,
	"places" integer NOT NULL,
	"attendance" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "online_capacity" integer;--> statement-breakpoint
ALTER TABLE "place_holds" ADD COLUMN "attendance" text;--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "attendance" text;--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "booked_by_id" uuid;--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "reservation_id" uuid;--> statement-breakpoint
ALTER TABLE "reserved_places" ADD CONSTRAINT "reserved_places_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reserved_places" ADD CONSTRAINT "reserved_places_created_by_id_people_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reserved_code_tries_ip_idx" ON "reserved_code_tries" USING btree ("requested_ip","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reserved_places_event_code_idx" ON "reserved_places" USING btree ("event_id","code");--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_booked_by_id_people_id_fk" FOREIGN KEY ("booked_by_id") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_reservation_id_reserved_places_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reserved_places"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registrations_reservation_idx" ON "registrations" USING btree ("reservation_id");--> statement-breakpoint
-- Hand-written backfill: a hybrid event's capacity was shared by everyone; it stays as the room's
-- places (bookings made before this count as in person, so the room is never oversold) and the
-- online places start at the same number, so nobody who could book before is turned away.
UPDATE "events" SET "online_capacity" = "capacity" WHERE "format" = 'hybrid';
