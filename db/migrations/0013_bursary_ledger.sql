CREATE TABLE "bursary_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"fund_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_pence" integer NOT NULL,
	"occurred_on" date NOT NULL,
	"method" text DEFAULT '' NOT NULL,
	"reference" text DEFAULT '' NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bursary_ledger_amount_positive" CHECK ("bursary_ledger"."amount_pence" > 0)
);
--> statement-breakpoint
-- Hand-written backfill: every amount already recorded becomes a ledger entry before
-- bursary_payments goes (see server/bursaries/ledger.ts for what each kind means).
-- Decisions: the sum of the items approved, for approved and part-approved applications.
INSERT INTO "bursary_ledger" ("fund_id", "application_id", "kind", "amount_pence", "occurred_on", "recorded_by", "recorded_at")
SELECT a."fund_id", a."id", 'approved', t."total", (coalesce(a."decided_at", a."updated_at") AT TIME ZONE 'Europe/London')::date, a."decided_by", coalesce(a."decided_at", a."updated_at")
FROM "bursary_applications" a
JOIN (SELECT "application_id", sum(coalesce("approved_pence", 0))::int AS "total" FROM "bursary_items" GROUP BY "application_id") t ON t."application_id" = a."id"
WHERE a."status" IN ('approved', 'part_approved') AND t."total" > 0;--> statement-breakpoint
-- Payments, as they were recorded (advance or settlement).
INSERT INTO "bursary_ledger" ("fund_id", "application_id", "kind", "amount_pence", "occurred_on", "method", "reference", "recorded_by", "recorded_at")
SELECT a."fund_id", p."application_id", p."kind", p."amount_pence", p."paid_on", p."method", p."reference", p."recorded_by", p."recorded_at"
FROM "bursary_payments" p JOIN "bursary_applications" a ON a."id" = p."application_id"
WHERE p."amount_pence" > 0;--> statement-breakpoint
-- Approved claims, for the total the panel accepted.
INSERT INTO "bursary_ledger" ("fund_id", "application_id", "kind", "amount_pence", "occurred_on", "recorded_by", "recorded_at")
SELECT a."fund_id", c."application_id", 'claim_approved', c."approved_pence", (coalesce(c."approved_at", c."submitted_at") AT TIME ZONE 'Europe/London')::date, c."approved_by", coalesce(c."approved_at", c."submitted_at")
FROM "bursary_claims" c JOIN "bursary_applications" a ON a."id" = c."application_id"
WHERE c."status" IN ('approved', 'paid') AND c."approved_pence" > 0;--> statement-breakpoint
-- Paid more than the approved claim: the difference is owed back.
INSERT INTO "bursary_ledger" ("fund_id", "application_id", "kind", "amount_pence", "occurred_on", "recorded_at")
SELECT a."fund_id", c."application_id", 'owed_back', p."total" - c."approved_pence", (coalesce(c."approved_at", c."submitted_at") AT TIME ZONE 'Europe/London')::date, coalesce(c."approved_at", c."submitted_at")
FROM "bursary_claims" c
JOIN "bursary_applications" a ON a."id" = c."application_id"
JOIN (SELECT "application_id", sum("amount_pence")::int AS "total" FROM "bursary_payments" GROUP BY "application_id") p ON p."application_id" = c."application_id"
WHERE c."status" IN ('approved', 'paid') AND p."total" > coalesce(c."approved_pence", 0);--> statement-breakpoint
-- Closed applications: what was allowed but never paid went back to the budget.
INSERT INTO "bursary_ledger" ("fund_id", "application_id", "kind", "amount_pence", "occurred_on", "recorded_at")
SELECT x."fund_id", x."id", 'released', x."allowed" - x."paid", (x."closed_at" AT TIME ZONE 'Europe/London')::date, x."closed_at"
FROM (
  SELECT a."fund_id", a."id", a."closed_at",
    coalesce((SELECT c."approved_pence" FROM "bursary_claims" c WHERE c."application_id" = a."id" AND c."status" IN ('approved', 'paid')),
             (SELECT sum(coalesce(i."approved_pence", 0))::int FROM "bursary_items" i WHERE i."application_id" = a."id"), 0) AS "allowed",
    coalesce((SELECT sum(p."amount_pence")::int FROM "bursary_payments" p WHERE p."application_id" = a."id"), 0) AS "paid"
  FROM "bursary_applications" a
  WHERE a."closed_at" IS NOT NULL AND a."status" IN ('approved', 'part_approved')
) x
WHERE x."allowed" > x."paid";--> statement-breakpoint
DROP TABLE "bursary_payments" CASCADE;--> statement-breakpoint
DROP INDEX "bursary_items_application_category_idx";--> statement-breakpoint
ALTER TABLE "bursary_ledger" ADD CONSTRAINT "bursary_ledger_fund_id_bursary_funds_id_fk" FOREIGN KEY ("fund_id") REFERENCES "public"."bursary_funds"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_ledger" ADD CONSTRAINT "bursary_ledger_application_id_bursary_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."bursary_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bursary_ledger" ADD CONSTRAINT "bursary_ledger_recorded_by_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bursary_ledger_application_idx" ON "bursary_ledger" USING btree ("application_id","recorded_at");--> statement-breakpoint
CREATE INDEX "bursary_ledger_fund_idx" ON "bursary_ledger" USING btree ("fund_id");--> statement-breakpoint
CREATE INDEX "bursary_items_application_idx" ON "bursary_items" USING btree ("application_id","category");