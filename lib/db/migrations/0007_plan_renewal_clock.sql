ALTER TABLE "instances" ADD COLUMN "plan_renewal_at" timestamp with time zone;--> statement-breakpoint
-- Until now one clock (plan_at) dated both the plan and its renewal: start the renewal's from it.
UPDATE "instances" SET "plan_renewal_at" = "plan_at" WHERE "plan_auto_renews" IS NOT NULL;
