CREATE TABLE "booking_link_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"requested_ip" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "booking_link_requests_email_idx" ON "booking_link_requests" USING btree ("email","created_at");--> statement-breakpoint
CREATE INDEX "booking_link_requests_ip_idx" ON "booking_link_requests" USING btree ("requested_ip","created_at");