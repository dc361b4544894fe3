CREATE TABLE "directory_change_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"email" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_request_tries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requested_ip" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "organisations_ip_idx";--> statement-breakpoint
ALTER TABLE "list_import_rows" ADD COLUMN "email_hash" text;--> statement-breakpoint
ALTER TABLE "directory_change_requests" ADD CONSTRAINT "directory_change_requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_change_requests_email_idx" ON "directory_change_requests" USING btree ("email");--> statement-breakpoint
CREATE INDEX "directory_request_tries_ip_idx" ON "directory_request_tries" USING btree ("requested_ip","created_at");--> statement-breakpoint
CREATE INDEX "list_import_rows_email_hash_idx" ON "list_import_rows" USING btree ("email_hash");--> statement-breakpoint
ALTER TABLE "organisations" DROP COLUMN "requested_ip";--> statement-breakpoint
-- Hand-written backfill: imports already finished or cancelled keep no addresses, names or
-- consent text; a row that was asked to join keeps only its address's SHA-256 (as emailHash()).
UPDATE "list_import_rows" SET "email_hash" = encode(sha256(convert_to(lower(trim("email")), 'UTF8')), 'hex') WHERE "outcome" = 'asked';--> statement-breakpoint
UPDATE "list_import_rows" r SET "email" = '', "name" = '', "consent" = '' FROM "list_imports" i WHERE i."id" = r."import_id" AND i."status" IN ('done', 'cancelled');
