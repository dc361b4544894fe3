CREATE TABLE "bursary_panel_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"fund_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"added_by" uuid,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bursary_panel_members" ADD CONSTRAINT "bursary_panel_members_fund_id_bursary_funds_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."bursary_funds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_panel_members" ADD CONSTRAINT "bursary_panel_members_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_panel_members" ADD CONSTRAINT "bursary_panel_members_added_by_people_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bursary_panel_members_fund_person_idx" ON "bursary_panel_members" USING btree ("fund_id","person_id");--> statement-breakpoint
CREATE INDEX "bursary_panel_members_person_idx" ON "bursary_panel_members" USING btree ("person_id");--> statement-breakpoint
-- Hand-written (keep when re-generating): the planning role 'bursary_reviewer' is gone. Anyone
-- who had accepted it on an event with its own fund moves to that fund's panel, with an audit
-- entry naming the planner who had appointed them, so organisers can review who sits where.
WITH "moved" AS (
	INSERT INTO "bursary_panel_members" ("fund_id", "person_id", "added_at")
	SELECT f."id", m."person_id", coalesce(m."responded_at", m."invited_at")
	FROM "planning_members" m JOIN "bursary_funds" f ON f."event_id" = m."event_id"
	WHERE m."role" = 'bursary_reviewer' AND m."status" = 'accepted'
	ON CONFLICT DO NOTHING
	RETURNING "fund_id", "person_id"
)
INSERT INTO "audit_entries" ("action", "subject_type", "subject_id", "details")
SELECT 'bursary.panel.member_migrated', 'bursary_fund', mv."fund_id"::text,
	jsonb_build_object('personId', mv."person_id", 'appointedByPlanner', m."invited_by")
FROM "moved" mv
JOIN "bursary_funds" f ON f."id" = mv."fund_id"
JOIN "planning_members" m ON m."event_id" = f."event_id" AND m."person_id" = mv."person_id";
--> statement-breakpoint
-- They stay in the planning group with a role that opens nothing.
UPDATE "planning_members" SET "role" = 'note_taker' WHERE "role" = 'bursary_reviewer';
